//! A ZIS-compatible HTTP server on loopback (being written).
