//! The ZIS API client (being written).
