# Yiwang (一网): the two commands a newcomer needs are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
APP_PORT ?= 8550
FACE_RECOGNITION := face-recognition==1.3.0

.PHONY: install run serve worker beat test lint typecheck format check-deploy clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt -r requirements-dev.txt
	@# face-recognition declares a dependency on `dlib`, which would compile for many minutes;
	@# dlib-bin (in requirements.txt) provides the same module as a wheel.
	$(PY) -m pip install -q --no-deps $(FACE_RECOGNITION)
	touch $@

install: $(VENV)/.installed

## run: migrate, load the demo city, serve the API on PORT and the Flet web app on APP_PORT
run: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py load_demo
	@echo "API:  http://127.0.0.1:$(PORT)/api/v1/docs/   admin: http://127.0.0.1:$(PORT)/admin/"
	@echo "App:  http://127.0.0.1:$(APP_PORT)/"
	@trap 'kill 0' EXIT; \
	if [ -f mobileapp/__main__.py ]; then \
		YIWANG_API_URL=http://127.0.0.1:$(PORT) FLET_SERVER_IP=127.0.0.1 FLET_SERVER_PORT=$(APP_PORT) \
		FLET_FORCE_WEB_SERVER=1 FLET_WEB_NO_CDN=1 $(PY) -m mobileapp & \
	fi; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

## serve: the production setup on this machine: gunicorn (several processes) + Celery worker + beat, PostgreSQL via
## DATABASE_URL, Redis cache and broker via REDIS_URL, static files by WhiteNoise. See docs/DEPLOYMENT.md.
SERVE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/yiwang
SERVE_REDIS_URL ?= redis://127.0.0.1:6379/0
SERVE_ENV = DATABASE_URL=$${DATABASE_URL:-$(SERVE_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(SERVE_REDIS_URL)} DEBUG=0
CELERY_QUEUES ?= celery,push,periodic

serve: install
	@$(SERVE_ENV) $(PY) -m backend.deploy.ensure_services
	$(SERVE_ENV) $(PY) manage.py migrate --noinput -v0
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput -v0
	@if [ "$${SERVE_DEMO:-1}" = 1 ]; then $(SERVE_ENV) $(PY) manage.py load_demo; fi
	@echo "API:  http://127.0.0.1:$(PORT)/api/v1/docs/  (gunicorn, $${WEB_CONCURRENCY:-$$(( 2 * $$(nproc) + 1 ))} processes)"
	@trap 'kill 0' EXIT; \
	$(SERVE_ENV) $(PY) -m celery -A backend worker -Q $(CELERY_QUEUES) -c $${CELERY_CONCURRENCY:-1} -l warning & \
	$(SERVE_ENV) $(PY) -m celery -A backend beat -l warning -s var/celerybeat-schedule & \
	$(SERVE_ENV) PORT=$(PORT) $(VENV)/bin/gunicorn -c backend/deploy/gunicorn.conf.py backend.wsgi

## worker: a Celery worker for the background queues (production runs one pool per queue, docs/DEPLOYMENT.md)
worker: install
	$(SERVE_ENV) $(PY) -m celery -A backend worker -Q $(CELERY_QUEUES) -l info

## beat: the periodic-job scheduler (exactly one per deployment)
beat: install
	$(SERVE_ENV) $(PY) -m celery -A backend beat -l info -s var/celerybeat-schedule

## test: install and run the whole suite (SQLite by default, PostgreSQL with DATABASE_URL)
test: install
	$(PY) -m pytest

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

## typecheck: mypy over backend/ and mobileapp/ (strict modules: pyproject.toml, docs/ARCHITECTURE.md "Types")
typecheck: install
	$(PY) -m mypy

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

check-deploy: install
	DEBUG=0 SECRET_KEY=$$(head -c 48 /dev/urandom | base64) SECURE_SSL_REDIRECT=1 SECURE_HSTS_SECONDS=31536000 \
		FIELD_ENCRYPTION_KEYS=$$(head -c 32 /dev/urandom | base64) ID_INDEX_KEYS=$$(head -c 32 /dev/urandom | base64) \
		ALLOWED_HOSTS=yiwang.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var
