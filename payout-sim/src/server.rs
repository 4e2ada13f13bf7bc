//! The listener: an accept loop of its own (rather than `axum::serve`) so that a fault can close
//! a connection without answering, before or after the request was acted on.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use http::{HeaderValue, Request, Response, StatusCode, header};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_service::Service;

use super::faults::{Fault, Faults};
use super::log::{RawRecord, RequestLog};

/// The largest request or response body the listener buffers when a fault needs the whole body.
const BUFFER_LIMIT: usize = 16 * 1024 * 1024;

/// A running listener serving a simulator's router on loopback. Dropping it stops the server and
/// closes its connections.
#[derive(Debug)]
pub struct SimServer {
    addr: SocketAddr,
    faults: Faults,
    log: RequestLog,
    // Dropping the sender tells the accept loop and every connection to stop.
    _shutdown: watch::Sender<()>,
}

/// The error a service returns to make hyper close the connection without writing an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

impl SimServer {
    /// Serves `router` on `addr` (use `127.0.0.1:0` for a free port) in the current tokio runtime.
    pub async fn bind(addr: SocketAddr, router: Router) -> io::Result<SimServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = watch::channel(());
        let faults = Faults::default();
        let log = RequestLog::default();
        let front = Arc::new(Front { router, faults: faults.clone(), log: log.clone() });
        tokio::spawn(accept_loop(listener, front, rx));
        Ok(SimServer { addr, faults, log, _shutdown: tx })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The fault queue of this listener.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The log of requests this listener received.
    pub fn requests(&self) -> &RequestLog {
        &self.log
    }
}

struct Front {
    router: Router,
    faults: Faults,
    log: RequestLog,
}

async fn accept_loop(listener: TcpListener, front: Arc<Front>, mut stop: watch::Receiver<()>) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or similar: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let front = front.clone();
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| serve(front.clone(), req));
                    let conn = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = conn => {}
                        _ = stop.changed() => {}
                    }
                });
            }
            _ = stop.changed() => return,
        }
    }
}

async fn serve(front: Arc<Front>, req: Request<Incoming>) -> Result<Response<Body>, Dropped> {
    let fault = front.faults.take(req.method(), req.uri().path());
    if let Some(Fault::Delay(_)) = fault {
        // A provider keeps working on a request whose client has stopped waiting (a timeout):
        // read the request now and finish it on a task of its own, so that the client going
        // away does not cancel it. It is acted on and logged like any other.
        let (parts, body) = req.into_parts();
        let Ok(body) = axum::body::to_bytes(Body::new(body), BUFFER_LIMIT).await else { return Err(Dropped) };
        let req = Request::from_parts(parts, Body::from(body));
        return tokio::spawn(respond(front, fault, req)).await.unwrap_or(Err(Dropped));
    }
    respond(front, fault, req.map(Body::new)).await
}

async fn respond(front: Arc<Front>, fault: Option<Fault>, req: Request<Body>) -> Result<Response<Body>, Dropped> {
    let record = front.log.is_enabled().then(|| RawRecord {
        method: req.method().clone(),
        uri: req.uri().clone(),
        status: None,
        fault: fault.as_ref().map(Fault::name),
    });
    let answer = answer(&front.router, fault, req).await;
    if let Some(mut record) = record {
        record.status = answer.as_ref().ok().map(|r| r.status().as_u16());
        front.log.record(record);
    }
    answer
}

async fn call(router: &Router, req: Request<Body>) -> Response<Body> {
    let result: Result<Response<Body>, Infallible> = router.clone().call(req).await;
    match result {
        Ok(r) => r,
        Err(never) => match never {},
    }
}

async fn answer(router: &Router, fault: Option<Fault>, req: Request<Body>) -> Result<Response<Body>, Dropped> {
    let Some(fault) = fault else { return Ok(call(router, req).await) };
    match fault {
        Fault::Delay(d) => {
            tokio::time::sleep(d).await;
            Ok(call(router, req).await)
        }
        Fault::TooManyRequests { retry_after } => {
            let mut r = json(StatusCode::TOO_MANY_REQUESTS, Bytes::from_static(br#"{"error":"Too Many Requests"}"#));
            if let Some(s) = retry_after {
                r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
            }
            Ok(r)
        }
        Fault::Status { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Ok(json(status, Bytes::from(body.into_owned())))
        }
        Fault::ConnectionRefused => Err(Dropped),
        Fault::CloseBeforeActing => {
            let _ = axum::body::to_bytes(req.into_body(), BUFFER_LIMIT).await;
            Err(Dropped)
        }
        Fault::CloseAfterActing => {
            let response = call(router, req).await;
            drop(response);
            Err(Dropped)
        }
        Fault::MalformedJson => {
            let (parts, body) = buffered(call(router, req).await).await;
            let mut out = body[..body.len() / 2].to_vec();
            out.extend_from_slice(b"<<malformed>>");
            Ok(with_body(parts, Bytes::from(out)))
        }
        Fault::TruncatedBody => {
            let (mut parts, body) = buffered(call(router, req).await).await;
            parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
            let half: Result<Bytes, io::Error> = Ok(body.slice(..body.len() / 2));
            // Pausing before the error lets hyper flush the head and the first half, so the
            // client sees a started answer whose body then fails.
            let fail = futures::stream::once(async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(io::Error::new(io::ErrorKind::ConnectionAborted, "truncated by an injected fault"))
            });
            let stream = futures::StreamExt::chain(futures::stream::iter([half]), fail);
            Ok(Response::from_parts(parts, Body::from_stream(stream)))
        }
        Fault::OversizedBody { bytes } => {
            let (parts, body) = buffered(call(router, req).await).await;
            let mut out = body.to_vec();
            out.resize(bytes.max(body.len()), b' ');
            Ok(with_body(parts, Bytes::from(out)))
        }
        Fault::UnknownStatus => Ok(rewrite(call(router, req).await, |o| {
            if o.contains_key("status") {
                o.insert("status".into(), "surprise_status".into());
            }
        })
        .await),
        Fault::MissingField(field) => Ok(rewrite(call(router, req).await, |o| {
            o.remove(field.as_ref());
        })
        .await),
        Fault::OtherShape => Ok(other_shape(call(router, req).await).await),
    }
}

/// The answer's JSON in another shape (see [`Fault::OtherShape`]); a body that is not a JSON
/// object is sent as it is.
async fn other_shape(response: Response<Body>) -> Response<Body> {
    use serde_json::Value;
    let (parts, body) = buffered(response).await;
    let Ok(Value::Object(mut top)) = serde_json::from_slice::<Value>(&body) else { return with_body(parts, body) };
    let reshaped = match top.remove("data") {
        Some(Value::Array(items)) => {
            let total = top.remove("total").unwrap_or_else(|| Value::from(items.len()));
            serde_json::json!({ "results": items, "total": total })
        }
        Some(data) => {
            top.insert("data".into(), data);
            serde_json::json!({ "data": Value::Object(top) })
        }
        None => serde_json::json!({ "data": Value::Object(top) }),
    };
    let out = serde_json::to_vec(&reshaped).map(Bytes::from).unwrap_or(body);
    with_body(parts, out)
}

fn json(status: StatusCode, body: Bytes) -> Response<Body> {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

async fn buffered(response: Response<Body>) -> (http::response::Parts, Bytes) {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, BUFFER_LIMIT).await.unwrap_or_default();
    (parts, bytes)
}

fn with_body(mut parts: http::response::Parts, body: Bytes) -> Response<Body> {
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    Response::from_parts(parts, Body::from(body))
}

/// Applies `edit` to the objects a parser looks at: the top level, then in each envelope
/// (`data`, Cryptomus's `result`) the object, its `items`, or the items of an array.
async fn rewrite(
    response: Response<Body>,
    edit: impl Fn(&mut serde_json::Map<String, serde_json::Value>),
) -> Response<Body> {
    use serde_json::Value;
    let (parts, body) = buffered(response).await;
    let Ok(mut value) = serde_json::from_slice::<Value>(&body) else { return with_body(parts, body) };
    let each = |items: &mut Vec<Value>| items.iter_mut().filter_map(Value::as_object_mut).for_each(&edit);
    if let Value::Object(top) = &mut value {
        edit(top);
        for envelope in ["data", "result"] {
            match top.get_mut(envelope) {
                Some(Value::Object(o)) => {
                    edit(o);
                    if let Some(Value::Array(items)) = o.get_mut("items") {
                        each(items);
                    }
                }
                Some(Value::Array(items)) => each(items),
                _ => {}
            }
        }
    }
    let out = serde_json::to_vec(&value).map(Bytes::from).unwrap_or(body);
    with_body(parts, out)
}
