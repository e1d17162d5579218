//! Parse one `connections/all` page of 100 connections (target: <= 100 µs).
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

fn page_of(n: usize) -> Vec<u8> {
    let mut basic = Vec::new();
    let mut api = Vec::new();
    let mut bearer = Vec::new();
    for i in 0..n {
        let common = format!(
            r#""name":"conn_{i:04}","allowed_domain":"api{i}.example.com","created_at":"2024-03-0{d}T10:11:12.520Z","updated_at":"2025-01-1{d}T08:00:00.000Z""#,
            d = i % 9 + 1
        );
        match i % 3 {
            0 => basic.push(format!(
                r#"{{{common},"username":"svc-{i}@example.com","password":"*****"}}"#
            )),
            1 => api.push(format!(
                r#"{{{common},"header_name":"X-API-Key","api_key":"*****"}}"#
            )),
            _ => bearer.push(format!(r#"{{{common},"token":"*****"}}"#)),
        }
    }
    format!(
        r#"{{"basic_auth":[{}],"api_key":[{}],"bearer_token":[{}],"oauth":[],"meta":{{"has_more":true,"after":"Y29ubl8wMDk5","before":null}}}}"#,
        basic.join(","),
        api.join(","),
        bearer.join(",")
    )
    .into_bytes()
}

fn bench(c: &mut Criterion) {
    let body = page_of(100);
    c.bench_function("parse connections/all page of 100", |b| {
        b.iter(|| {
            let page = zisctl::zis::client::parse_page(black_box(&body)).unwrap();
            assert_eq!(page.connections.len(), 100);
            page
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
