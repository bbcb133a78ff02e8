FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bots bots
COPY dialogs dialogs
COPY adapters adapters
COPY storage storage
RUN pip install --no-cache-dir .
ENV WEIQUAN_HOST=0.0.0.0 WEIQUAN_VAR_DIR=/data WEIQUAN_EVIDENCE_DIR=/data/evidence
VOLUME /data
EXPOSE 8000
CMD ["weiquan", "serve", "--no-worker"]
