"""Debian's headless Chromium, as the reading-page tests launch it."""

CHROMIUM = "/usr/bin/chromium"
# A machine with no network: no background connections at all.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
