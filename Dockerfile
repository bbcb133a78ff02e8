FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bots bots
COPY dialogs dialogs
COPY adapters adapters
COPY storage storage
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin weiquan \
    && mkdir /data && chown weiquan:weiquan /data
# Everything the service writes lives on the volume: the SQLite database (when no
# PostgreSQL URL is given), the generated secret key, evidence files, shared metrics.
ENV WEIQUAN_HOST=0.0.0.0 \
    WEIQUAN_VAR_DIR=/data \
    WEIQUAN_EVIDENCE_DIR=/data/evidence \
    WEIQUAN_DATABASE_URL=sqlite+aiosqlite:////data/weiquan.db
VOLUME /data
USER weiquan
EXPOSE 8000
# One container on SQLite: the web service with its background loops (delivery, polling).
CMD ["weiquan", "serve"]
