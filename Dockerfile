# syntax=docker/dockerfile:1
# Production image: gunicorn serves config.wsgi on port 8000. The same image runs the
# Celery worker and beat (see docker-compose.yml). Configuration comes from the
# environment at run time (README.md, "Configuration").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PRIVATE_MEDIA_ROOT=/data/private_media

WORKDIR /app

# Runtime dependencies only (no dev tools), at the lock's exact versions. Copied before
# the code so this layer is rebuilt only when the dependencies change.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt -c requirements.lock \
    && rm /tmp/requirements.txt

COPY . .

# Hashed, compressed static files, served by whitenoise. Settings refuse to load without a
# secret and a field key: these build-only values are not kept in the image's environment.
RUN DJANGO_SECRET_KEY=collectstatic-only-not-secret \
    FIELD_ENCRYPTION_KEY=YnVpbGQtb25seS1maWVsZC1rZXktbm90LXNlY3JldCE= \
    DJANGO_STATIC_MANIFEST=1 \
    python manage.py collectstatic --noinput

# The code stays owned by root (read-only to the app); only the media folders are writable.
RUN useradd --system --uid 10001 --create-home app \
    && mkdir -p /data/private_media /app/media \
    && chown app:app /data/private_media /app/media
USER app

EXPOSE 8000
# No access log on purpose: request lines with client addresses next to feedback URLs
# would tie anonymous answers to people. Workers: WEB_CONCURRENCY (gunicorn reads it).
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000"]
