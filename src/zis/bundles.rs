//! The bundles and job specs endpoints of the registry, read with the integration's ZIS token
//! (as the connections are): the listings (cursor pages of at most 100), one bundle with its
//! resources, and [`Client::load_bundles`], everything a usage graph of one integration needs.
//!
//! Listings have the caps of the connections listings: past [`MAX_BUNDLE_PAGES`] pages or
//! [`MAX_BUNDLE_ENTRIES`] entries, or on a cursor seen before or longer than 4 KiB, a listing
//! stops with an error that names the cap. Each answer is capped in size by the transport
//! (16 MiB) and parsed by [`bundle_parse`](super::bundle_parse) with caps of its own.
use std::collections::HashSet;
use std::future::Future;

use futures::StreamExt;
use reqwest::{Method, Url};

use super::bundle_models::*;
use super::bundle_parse::{parse_bundle, parse_bundle_page, parse_job_spec_page};
use super::client::Client;
use super::error::{Error, Result};
use super::transport::Retry;
use super::validate;

/// Pages one bundles or job specs listing follows at most.
pub const MAX_BUNDLE_PAGES: u32 = 10_000;
/// Entries one bundles or job specs listing collects at most.
pub const MAX_BUNDLE_ENTRIES: usize = 100_000;
/// The longest page cursor followed: it goes into the next request's URL.
const MAX_CURSOR_BYTES: usize = 4096;
/// The largest page asked for (the documented maximum).
const PAGE_SIZE: u32 = 100;

impl Client {
    fn registry_url(&self, integration: &str, tail: &[&str]) -> Url {
        let mut segs = vec!["api", "services", "zis", "registry", integration];
        segs.extend_from_slice(tail);
        self.url(&segs)
    }

    fn paged(&self, integration: &str, what: &str, after: Option<&str>, size: u32) -> Url {
        let mut url = self.registry_url(integration, &[what]);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("page[size]", &size.clamp(1, PAGE_SIZE).to_string());
            if let Some(a) = after {
                q.append_pair("page[after]", a);
            }
        }
        url
    }

    /// One page of `GET registry/{integration}/bundles` (metadata only).
    pub async fn list_bundles_page(
        &self,
        integration: &str,
        after: Option<&str>,
        size: u32,
    ) -> Result<BundlePage> {
        validate::integration_name(integration)?;
        let url = self.paged(integration, "bundles", after, size);
        let ans = self
            .send_conn(Method::GET, url, None, integration, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context(format!("list bundles of {integration}")))?;
        parse_bundle_page(&ans.body)
            .map_err(|e| e.with_context(format!("bundles of {integration}")))
    }

    /// Every bundle of an integration (metadata), following `meta.after` while `has_more`.
    pub async fn list_bundles(&self, integration: &str) -> Result<Vec<BundleSummary>> {
        collect_pages(
            &format!("list bundles of {integration}"),
            "bundles",
            |after| async move {
                let p = self
                    .list_bundles_page(integration, after.as_deref(), PAGE_SIZE)
                    .await?;
                Ok((p.bundles, p.has_more, p.after))
            },
        )
        .await
    }

    /// `GET registry/{integration}/bundles/{uuid}`: one bundle with its resources.
    pub async fn get_bundle(&self, integration: &str, uuid: &str) -> Result<Bundle> {
        validate::integration_name(integration)?;
        if uuid.is_empty() {
            return Err(
                Error::invalid_response("the bundle has no uuid to read it by")
                    .with_context(format!("show bundle of {integration}")),
            );
        }
        let url = self.registry_url(integration, &["bundles", uuid]);
        let ctx = || format!("show bundle {uuid} of {integration}");
        let ans = self
            .send_conn(Method::GET, url, None, integration, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context(ctx()))?;
        parse_bundle(&ans.body).map_err(|e| e.with_context(ctx()))
    }

    /// One page of `GET registry/{integration}/job_specs`.
    pub async fn list_job_specs_page(
        &self,
        integration: &str,
        after: Option<&str>,
        size: u32,
    ) -> Result<JobSpecPage> {
        validate::integration_name(integration)?;
        let url = self.paged(integration, "job_specs", after, size);
        let ans = self
            .send_conn(Method::GET, url, None, integration, Retry::Idempotent)
            .await
            .map_err(|e| e.with_context(format!("list job specs of {integration}")))?;
        parse_job_spec_page(&ans.body)
            .map_err(|e| e.with_context(format!("job specs of {integration}")))
    }

    /// Every job spec of an integration.
    pub async fn list_job_specs(&self, integration: &str) -> Result<Vec<JobSpec>> {
        collect_pages(
            &format!("list job specs of {integration}"),
            "job specs",
            |after| async move {
                let p = self
                    .list_job_specs_page(integration, after.as_deref(), PAGE_SIZE)
                    .await?;
                Ok((p.job_specs, p.has_more, p.after))
            },
        )
        .await
    }

    /// Every bundle of an integration with its resources, and every job spec: what a usage
    /// graph is built from. The two listings go out together, then the bundles `parallel` at
    /// a time (a handle made by `with_max_in_flight` bounds the requests on the wire across
    /// all of them). A bundle whose detail cannot be read (an error answer, a body past the
    /// cap, not JSON) is listed in `unreadable` with why; a listing that fails fails the call.
    pub async fn load_bundles(&self, integration: &str, parallel: usize) -> Result<BundleSet> {
        let (summaries, job_specs) = futures::try_join!(
            self.list_bundles(integration),
            self.list_job_specs(integration)
        )?;
        let details: Vec<(BundleSummary, Result<Bundle>)> = futures::stream::iter(summaries)
            .map(|s| async move {
                let r = self.get_bundle(integration, &s.uuid).await;
                (s, r)
            })
            .buffered(parallel.max(1))
            .collect()
            .await;
        let mut set = BundleSet {
            job_specs,
            ..BundleSet::default()
        };
        for (summary, r) in details {
            match r {
                Ok(mut b) => {
                    if b.name.is_empty() {
                        b.name = summary.name.clone();
                    }
                    if b.uuid.is_empty() {
                        b.uuid = summary.uuid.clone();
                    }
                    if b.description.is_empty() {
                        b.description = summary.description.clone();
                    }
                    set.bundles.push(b);
                }
                Err(e) => {
                    tracing::warn!(integration, uuid = %summary.uuid, error = %e, "bundle not read");
                    set.unreadable.push((summary, e.to_string()));
                }
            }
        }
        Ok(set)
    }
}

/// Follow a cursor listing: at most [`MAX_BUNDLE_PAGES`] pages and [`MAX_BUNDLE_ENTRIES`]
/// entries, never a cursor seen before (only hashes of them are kept).
async fn collect_pages<T, F, Fut>(context: &str, what: &str, mut fetch: F) -> Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, bool, Option<String>)>>,
{
    let cap = |msg: String| Error::invalid_response(msg).with_context(context.to_string());
    let keys = std::collections::hash_map::RandomState::new();
    let mut seen = HashSet::new();
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0u32;
    loop {
        let (items, has_more, next) = fetch(after.take()).await?;
        pages += 1;
        if all.len() + items.len() > MAX_BUNDLE_ENTRIES {
            return Err(cap(format!(
                "the listing passed {MAX_BUNDLE_ENTRIES} {what} (the cap); stopped"
            )));
        }
        all.extend(items);
        if !has_more {
            return Ok(all);
        }
        if pages >= MAX_BUNDLE_PAGES {
            return Err(cap(format!(
                "the server still said has_more after {MAX_BUNDLE_PAGES} pages (the cap); stopped"
            )));
        }
        let Some(next) = next else {
            return Err(cap(
                "the server said has_more but gave no meta.after cursor".into(),
            ));
        };
        if next.len() > MAX_CURSOR_BYTES {
            return Err(cap(format!(
                "the server's page cursor is longer than {MAX_CURSOR_BYTES} bytes; stopped"
            )));
        }
        if !seen.insert(std::hash::BuildHasher::hash_one(&keys, &next)) {
            return Err(cap(
                "the server repeated a page cursor (pagination loop)".into()
            ));
        }
        after = Some(next);
    }
}
