# Pacewise server image: slim Python, a non-root user, `pacewise serve`.
# TLS ends at the reverse proxy in front; set PACEWISE_ENV=production and PACEWISE_SECRET_KEY.
FROM python:3.12-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/pacewise
RUN groupadd --system pacewise && useradd --system --gid pacewise --home /srv/pacewise pacewise

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install .

COPY alembic.ini ./
COPY migrations ./migrations
RUN mkdir -p var && chown pacewise:pacewise var

USER pacewise
ENV DATABASE_URL=sqlite:////srv/pacewise/var/pacewise.db \
    PACEWISE_ENV=production
VOLUME ["/srv/pacewise/var"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["pacewise", "serve", "--host", "0.0.0.0", "--port", "8000"]
