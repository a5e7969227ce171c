# dutyday: one static-ish binary (SQLite, libpq and OpenSSL are built in) plus its config.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml clippy.toml ./
COPY src src
COPY migrations migrations
COPY config config
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --create-home dutyday
WORKDIR /app
COPY --from=build /src/target/release/dutyday /usr/local/bin/dutyday
COPY config config
USER dutyday
ENV DUTYDAY_BIND=0.0.0.0:8080 DUTYDAY_CONFIG=/app/config
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
CMD ["dutyday", "serve"]
