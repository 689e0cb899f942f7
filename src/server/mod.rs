//! Stage 6: the HTTP face. Search page, incident pages and a JSON API over
//! the same library calls as the CLI. Callers' mistakes are 4xx with a JSON
//! `{"error": ...}` (or an HTML page for HTML routes), never a 500.

mod cache;
mod pages;
mod render;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use tower_http::CompressionLevel;

use crate::error::Error;
use crate::index::PostIndex;
use crate::search::{query_terms, Facets, SearchResults, DEFAULT_LIMIT, MAX_LIMIT};
use cache::SearchCache;

pub use render::markdown_to_safe_html;

const PER_PAGE: usize = 10;
const MAX_PAGE: usize = 1000;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const BODY_LIMIT: usize = 16 * 1024;

/// What every handler shares: the index (whose reader reloads itself after
/// each commit) and the posts directory, for source files.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    index: PostIndex,
    posts_dir: PathBuf,
    searches: SearchCache,
}

/// Searches remembered by default: a few megabytes at most.
pub const DEFAULT_CACHE_SIZE: usize = 512;
/// Answers with more hits than this are not remembered.
const MAX_CACHED_LIMIT: usize = 20;

impl AppState {
    /// `cache_size` answers to recent searches are kept (0: none).
    pub fn new(index: PostIndex, posts_dir: PathBuf, cache_size: usize) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                index,
                posts_dir,
                searches: SearchCache::new(cache_size),
            }),
        }
    }

    /// A search, answered from the cache when the same one was asked of the
    /// same index; `took_ms` is always the time this call took. The flag
    /// says whether the cache answered.
    fn search(&self, q: &str, limit: usize, offset: usize) -> Result<(SearchResults, bool), Error> {
        let started = Instant::now();
        let key = self.cache_key(q, limit, offset);
        if let Some(results) = self.cached(&key, started) {
            return Ok((results, true));
        }
        let results = self.inner.index.search(q, limit, offset)?;
        self.remember(key, &results);
        Ok((results, false))
    }

    /// A search page's hits and filters: a cached page counts its filters
    /// alone; otherwise one pass finds the hits and the matches to count.
    fn search_with_facets(
        &self,
        q: &str,
        limit: usize,
        offset: usize,
    ) -> Result<(SearchResults, Facets), Error> {
        let started = Instant::now();
        let key = self.cache_key(q, limit, offset);
        if let Some(results) = self.cached(&key, started) {
            return Ok((results, self.inner.index.facets(q)?));
        }
        let (results, facets) = self.inner.index.search_with_facets(q, limit, offset)?;
        self.remember(key, &results);
        Ok((results, facets))
    }

    fn cache_key(&self, q: &str, limit: usize, offset: usize) -> cache::Key {
        cache::Key {
            generation: self.inner.index.generation(),
            query: q.to_string(),
            limit,
            offset,
        }
    }

    /// The cached answer, timed from `started`.
    fn cached(&self, key: &cache::Key, started: Instant) -> Option<SearchResults> {
        let cached = self.inner.searches.get(key)?;
        let mut results = SearchResults::clone(&cached);
        results.took_ms = (started.elapsed().as_secs_f64() * 1000.0 * 100.0).round() / 100.0;
        Some(results)
    }

    fn remember(&self, key: cache::Key, results: &SearchResults) {
        // Pages people read, not bulk exports: so the cache stays a few
        // megabytes whatever callers ask for.
        if key.limit <= MAX_CACHED_LIMIT {
            self.inner.searches.put(key, Arc::new(results.clone()));
        }
    }
}

/// Tells a client (and the benchmarks) whether an answer came from the cache.
const CACHE_HEADER: &str = "x-pmkb-cache";

/// Errors of the JSON API.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        match err {
            Error::Query(_) => ApiError(StatusCode::BAD_REQUEST, err.to_string()),
            Error::UnknownId(_) => ApiError(StatusCode::NOT_FOUND, err.to_string()),
            other => {
                tracing::error!("{other}");
                ApiError(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; see the server log".into(),
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

/// Errors of the HTML pages: the same statuses, as a page, with the query
/// that led there (if any) back in the search box.
#[derive(Debug)]
pub struct PageError(ApiError, String);

impl From<Error> for PageError {
    fn from(err: Error) -> Self {
        PageError(err.into(), String::new())
    }
}

impl From<ApiError> for PageError {
    fn from(err: ApiError) -> Self {
        PageError(err, String::new())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError(ApiError(status, message), query) = self;
        (
            status,
            Html(pages::error_page(status.as_u16(), &message, &query).into_string()),
        )
            .into_response()
    }
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

type Params = HashMap<String, String>;

/// A path or query string axum cannot read (an id that is not UTF-8, a
/// broken percent escape) is the caller's mistake, answered in the API's
/// form rather than axum's plain text.
fn from_url<T>(extracted: Result<T, impl std::fmt::Display>) -> Result<T, ApiError> {
    extracted.map_err(|rejection| bad_request(format!("bad URL: {rejection}")))
}

/// `limit` as given by a caller: a whole number from 1 to MAX_LIMIT.
fn parse_limit(params: &Params, default: usize) -> Result<usize, ApiError> {
    match params.get("limit") {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(bad_request(format!(
                "limit must be a whole number from 1 to {MAX_LIMIT}, not `{raw}`"
            ))),
        },
    }
}

fn parse_offset(params: &Params) -> Result<usize, ApiError> {
    match params.get("offset") {
        None => Ok(0),
        Some(raw) => raw
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|&n| n <= MAX_PAGE * MAX_LIMIT)
            .ok_or_else(|| {
                bad_request(format!(
                    "offset must be a whole number from 0 to {}, not `{raw}`",
                    MAX_PAGE * MAX_LIMIT
                ))
            }),
    }
}

fn query_param(params: &Params) -> Result<String, ApiError> {
    let q = params
        .get("q")
        .map(|q| q.trim().to_string())
        .unwrap_or_default();
    if q.is_empty() {
        return Err(bad_request("missing query: add ?q=what+you+see"));
    }
    Ok(q)
}

/// Blocking index work runs off the async workers.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(err) => std::panic::resume_unwind(err.into_panic()),
    }
}

async fn api_search(
    State(state): State<AppState>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = from_url(params)?;
    let q = query_param(&params)?;
    let limit = parse_limit(&params, DEFAULT_LIMIT)?;
    let offset = parse_offset(&params)?;
    let (results, cached) = blocking(move || state.search(&q, limit, offset)).await?;
    let status = if cached { "hit" } else { "miss" };
    Ok(([(CACHE_HEADER, status)], Json(results)).into_response())
}

async fn api_incident(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(id) = from_url(id)?;
    let record = blocking(move || {
        state
            .inner
            .index
            .get(&id)
            .and_then(|r| r.ok_or(Error::UnknownId(id)))
    })
    .await?;
    Ok(Json(record).into_response())
}

async fn api_similar(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (Path(id), Query(params)) = (from_url(id)?, from_url(params)?);
    let limit = parse_limit(&params, 5)?;
    let results = blocking(move || state.inner.index.similar(&id, limit)).await?;
    Ok(Json(results).into_response())
}

async fn search_page(
    State(state): State<AppState>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(params) = from_url(params).map_err(PageError::from)?;
    let q = params
        .get("q")
        .map(|q| q.trim().to_string())
        .unwrap_or_default();
    let page = match params.get("page") {
        None => 1,
        Some(raw) => raw
            .parse::<usize>()
            .ok()
            .filter(|p| (1..=MAX_PAGE).contains(p))
            .ok_or_else(|| {
                PageError(
                    bad_request(format!("page must be a number from 1 to {MAX_PAGE}")),
                    q.clone(),
                )
            })?,
    };
    let partial = params.contains_key("partial");
    let typed = q.clone();
    let html = blocking(move || -> Result<String, Error> {
        let index = &state.inner.index;
        if q.is_empty() {
            let facets = index.facets_all()?;
            return Ok(pages::home_page(index.len(), &facets).into_string());
        }
        let terms = query_terms(&q);
        let offset = (page - 1) * PER_PAGE;
        if partial {
            let (results, _) = state.search(&q, PER_PAGE, offset)?;
            return Ok(pages::results(&q, &results, page, PER_PAGE, &terms).into_string());
        }
        let (results, facets) = state.search_with_facets(&q, PER_PAGE, offset)?;
        Ok(pages::search_page(&q, &results, &facets, page, PER_PAGE, &terms).into_string())
    })
    .await
    .map_err(|err| PageError(err.into(), typed))?;
    Ok(Html(html).into_response())
}

async fn incident_page(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    let Path(id) = from_url(id).map_err(PageError::from)?;
    let html = blocking(move || -> Result<String, Error> {
        let index = &state.inner.index;
        let record = index
            .get(&id)?
            .ok_or_else(|| Error::UnknownId(id.clone()))?;
        let (markdown, line) = index.markdown(&id)?.unwrap_or_default();
        let post = markdown_to_safe_html(&markdown, line);
        let similar = index.similar(&id, 5)?;
        Ok(pages::incident_page(&record, &post, &similar).into_string())
    })
    .await?;
    Ok(Html(html).into_response())
}

/// The post's file, as text. Only files inside the posts directory, named
/// by an indexed record, are ever served.
async fn incident_source(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    let Path(id) = from_url(id).map_err(PageError::from)?;
    let text = blocking(move || -> Result<String, Error> {
        let record = state
            .inner
            .index
            .get(&id)?
            .ok_or_else(|| Error::UnknownId(id.clone()))?;
        let root = state
            .inner
            .posts_dir
            .canonicalize()
            .map_err(|source| Error::Io {
                path: state.inner.posts_dir.clone(),
                source,
            })?;
        let path = root.join(&record.source);
        let resolved = path
            .canonicalize()
            .map_err(|_| Error::UnknownId(id.clone()))?;
        if !resolved.starts_with(&root) || !resolved.is_file() {
            return Err(Error::UnknownId(id));
        }
        std::fs::read_to_string(&resolved).map_err(|source| Error::Io {
            path: resolved,
            source,
        })
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

async fn how_to_add() -> Html<String> {
    let template = crate::authoring::template(
        "Checkout latency after the 3.2 deploy",
        &crate::authoring::today(),
    );
    Html(pages::how_to_add_page(&template).into_string())
}

async fn healthz() -> &'static str {
    "ok"
}

/// The page's style and script. Their addresses carry a digest of their
/// content (see `pages`), so they are kept by browsers for a year.
async fn asset(Path(name): Path<String>) -> Response {
    let (content_type, body) = match name.as_str() {
        "style.css" => ("text/css; charset=utf-8", pages::STYLE),
        "search.js" => ("text/javascript; charset=utf-8", pages::SCRIPT),
        _ => return not_found(Uri::from_static("/assets")).await,
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}

/// What a browser may load into pmkb's pages: its own script and style,
/// images from anywhere a post links them, nothing inline but style
/// attributes (table alignment). The renderer already lets no script
/// through; this is the second lock on the same door.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' http: https: data:; connect-src 'self'; \
    form-action 'self'; base-uri 'none'";

/// Under `/api` a JSON error, as every API answer; elsewhere a page.
async fn not_found(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return ApiError(
            StatusCode::NOT_FOUND,
            format!(
                "no such route: {path}; the API has /api/search?q=..., \
                 /api/incidents/{{id}} and /api/incidents/{{id}}/similar"
            ),
        )
        .into_response();
    }
    PageError::from(ApiError(StatusCode::NOT_FOUND, "no such page".into())).into_response()
}

/// Under `/api` every error is JSON, those the layers answer too: a
/// method other than GET, a body, a search that timed out.
async fn json_errors(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"application/json"));
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => "method not allowed: the API answers GET".to_string(),
        StatusCode::PAYLOAD_TOO_LARGE => "request body too large: the API reads none".to_string(),
        StatusCode::SERVICE_UNAVAILABLE => {
            "the server is busy or the request took too long: try again".to_string()
        }
        other => other
            .canonical_reason()
            .unwrap_or("request failed")
            .to_lowercase(),
    };
    let mut answer = ApiError(status, message).into_response();
    if let Some(allow) = response.headers().get(header::ALLOW) {
        answer.headers_mut().insert(header::ALLOW, allow.clone());
    }
    answer
}

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(search_page))
        .route("/incidents/{id}", get(incident_page))
        .route("/incidents/{id}/source", get(incident_source))
        .route("/api/search", get(api_search))
        .route("/api/incidents/{id}", get(api_incident))
        .route("/api/incidents/{id}/similar", get(api_similar))
        .route("/how-to-add", get(how_to_add))
        .route("/healthz", get(healthz))
        .route("/assets/{name}", get(asset))
        .fallback(not_found)
        .with_state(state)
        // A browser must not guess a type we did not send (a post's raw
        // text read as HTML).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        // The fastest level: a result page of 11 KB goes out as 5 KB (4 KB at
        // the default level, which took a tenth of the server's CPU under load).
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(TraceLayer::new_for_http())
}

/// A client gets this long to send its request headers: a slow or stalled
/// client cannot hold a connection open for ever.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once; more wait to be accepted, which bounds memory.
const MAX_CONNECTIONS: usize = 1024;
/// How long in-flight requests get to finish after Ctrl-C.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves until Ctrl-C (or SIGTERM). `on_ready` gets the bound address,
/// which matters when the port was 0.
///
/// The accept loop is hyper's own rather than `axum::serve`, for what the
/// latter does not offer: a header read timeout against slow clients and a
/// cap on open connections.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;

    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_ready(listener.local_addr()?);
    let app = app(state);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(err) => {
                    // Out of file descriptors, say: wait, do not spin.
                    tracing::warn!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Without this, a response written in two pieces waits for the
        // client's delayed ACK (40 ms on Linux): it capped throughput at
        // about 360 requests/s on keep-alive connections.
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY: {err}");
        }
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT);
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!("connection closed: {err}");
            }
            drop(slot);
        });
    }
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("some requests were still running at shutdown"),
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
