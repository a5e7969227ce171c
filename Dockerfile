# dutyday: one static-ish binary (SQLite, libpq and OpenSSL are built in) plus its config.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml clippy.toml ./
COPY src src
COPY migrations migrations
COPY config config
COPY templates templates
COPY locales locales
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --create-home dutyday \
    && mkdir -p /app/data && chown dutyday /app/data
WORKDIR /app
COPY --from=build /src/target/release/dutyday /usr/local/bin/dutyday
COPY config config
USER dutyday
# The embedded database and unsent-mail files live in /app/data (mount a volume there).
# MALLOC_ARENA_MAX: glibc's per-thread arenas otherwise hold memory a few threads do not
# need (peak resident memory under load: about 50 MB instead of 150 MB; BENCHMARKS.md).
ENV DUTYDAY_BIND=0.0.0.0:8080 DUTYDAY_CONFIG=/app/config \
    DUTYDAY_DATABASE_URL=sqlite:///app/data/dutyday.db DUTYDAY_MAIL_DIR=/app/data/mail-out \
    MALLOC_ARENA_MAX=2
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
CMD ["dutyday", "serve"]
