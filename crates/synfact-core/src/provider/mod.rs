//! Talking to a provider, as data: where calls go (`endpoint`), what goes over the wire and how
//! replies are read (`wire`), what can go wrong (`error`) and what is worth another try
//! (`retry`), the judge's verdict and a model's refusal read from a reply, the cache key of a
//! call, and the decimal numbers forms and headers hold.

pub mod batch;
pub mod cache_key;
pub mod endpoint;
pub mod error;
pub mod files;
pub mod number;
pub mod refusal;
pub mod retry;
pub mod verdict;
pub mod wire;
