# studybot in a container: notes and the SQLite database live in the /app/data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# make runs the same `make install` the test suite runs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 studybot

WORKDIR /app
COPY pyproject.toml README.md Makefile ./
COPY bot ./bot
COPY cogs ./cogs
COPY data ./data
RUN make install VENV=/opt/venv && chown -R studybot:studybot /app/data

ENV PATH=/opt/venv/bin:$PATH
USER studybot
VOLUME ["/app/data"]
# Slack's HTTP mode (SLACK_SIGNING_SECRET instead of SLACK_APP_TOKEN) serves /slack/events here
# (STUDYBOT_HTTP_PORT); Socket Mode and Discord need no open port.
EXPOSE 3000
# `studybot run` is PID 1 (exec form) and handles SIGTERM itself: it stops the scheduler,
# closes the database and logs out.
STOPSIGNAL SIGTERM
CMD ["studybot", "run"]
