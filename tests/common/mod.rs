pub mod rawhttp;
pub mod sandbox;
