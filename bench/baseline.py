"""The baseline: only the irreducible work of one message, with FastAPI and asyncpg.

Insert the dedupe key, read and update one conversation row under a lock, commit.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, Request
from pydantic import BaseModel

SCHEMA = """
CREATE TABLE IF NOT EXISTS base_dedupe (key text PRIMARY KEY, replies jsonb);
CREATE TABLE IF NOT EXISTS base_conv (user_id text PRIMARY KEY, state text, version int);
"""


class Message(BaseModel):
    user: str
    text: str
    message_id: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(os.environ["BASELINE_DSN"], min_size=5, max_size=10)
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/chat/messages")
async def message(body: Message, request: Request) -> dict[str, list[dict[str, str]]]:
    pool: asyncpg.Pool = request.app.state.pool
    async with pool.acquire() as conn, conn.transaction():
        claimed = await conn.fetchval(
            "INSERT INTO base_dedupe (key, replies) VALUES ($1, '[]') "
            "ON CONFLICT DO NOTHING RETURNING key",
            body.message_id,
        )
        if claimed is None:
            return {"replies": []}
        await conn.execute(
            "INSERT INTO base_conv (user_id, state, version) VALUES ($1, 'start', 0) "
            "ON CONFLICT DO NOTHING",
            body.user,
        )
        await conn.fetchrow(
            "SELECT state, version FROM base_conv WHERE user_id = $1 FOR UPDATE", body.user
        )
        await conn.execute(
            "UPDATE base_conv SET version = version + 1 WHERE user_id = $1", body.user
        )
    return {"replies": [{"text": "ok"}]}
