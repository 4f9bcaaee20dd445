# Two stages: build a static (musl) binary, then ship it alone. `docker build -t kyc-sandbox .`
# `docker run -p 4747-4752:4747-4752 kyc-sandbox` serves every provider; the admin API answers
# requests whose Host is localhost (what the port mapping gives), see README "Admin API".
FROM rust:1-bookworm AS build
RUN rustup target add x86_64-unknown-linux-musl \
 && apt-get update && apt-get install -y --no-install-recommends musl-tools && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
 && cp target/x86_64-unknown-linux-musl/release/kyc-sandbox /kyc-sandbox

FROM scratch
COPY --from=build /kyc-sandbox /kyc-sandbox
EXPOSE 4747 4748 4749 4752
ENV KYC_SANDBOX_HOST=0.0.0.0
ENTRYPOINT ["/kyc-sandbox"]
