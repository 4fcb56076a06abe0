# groupkeeper's image: built in one stage, run from a slim one that holds the
# virtual environment and what the bot needs at run time, nothing more.
#
#   docker build -t groupkeeper .
#   docker run -v "$PWD/config:/config:ro" -v gk-data:/data --env-file .env groupkeeper
#
# Every community file mounted at /config is served (`groupkeeper run
# --config-dir /config`); the SQLite default lands in /data. compose.yaml runs
# it beside PostgreSQL. PYTHON_IMAGE is any Debian-based image with Python
# 3.11+ (`python3`, and its venv module).
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python3 -m venv /opt/groupkeeper
WORKDIR /src
# The dependencies first: a change to the code keeps this layer.
COPY pyproject.toml README.md ./
RUN mkdir bot rules storage adapters migrations \
    && /opt/groupkeeper/bin/pip install --quiet . \
    && /opt/groupkeeper/bin/pip uninstall --quiet --yes groupkeeper
COPY bot bot
COPY rules rules
COPY storage storage
COPY adapters adapters
COPY migrations migrations
RUN /opt/groupkeeper/bin/pip install --quiet --no-deps .

FROM ${PYTHON_IMAGE} AS runtime
# A CJK font for the Chinese labels of /stats charts and reports; tini passes
# docker stop's SIGTERM to the bot, which finishes what is queued and exits.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-zenhei tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --create-home groupkeeper
COPY --from=build /opt/groupkeeper /opt/groupkeeper
COPY deploy/entrypoint.sh /usr/local/bin/groupkeeper-entrypoint
ENV PATH=/opt/groupkeeper/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    GROUPKEEPER_CONFIG_DIR=/config \
    MPLCONFIGDIR=/data/.matplotlib
USER groupkeeper
WORKDIR /data
VOLUME ["/data"]
# /healthz and /metrics when the community file sets `metrics: {listen: 0.0.0.0, port: 9464}`;
# Telegram's webhook when it sets `mode: webhook` (behind a reverse proxy).
EXPOSE 9464 8443
STOPSIGNAL SIGTERM
ENTRYPOINT ["tini", "--", "groupkeeper-entrypoint"]
CMD ["run"]
