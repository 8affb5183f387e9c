//! `GET /api/v1/stream`: every event (state changes, acknowledgements, downtimes, posted events) as
//! Server-Sent Events, in order and without gaps.
//!
//! Each message carries the event id as its SSE `id`, so a client that reconnects with `Last-Event-ID`
//! (or `?since=<id>`) first gets every event it missed from the store, then the live feed. When the live
//! feed overruns a slow client, the stream catches up from the store the same way instead of dropping
//! events.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use rosetta_core::request::Params;
use rosetta_core::visibility::Visibility;
use rosetta_core::{BoxError, GatewayError, Request, RequestContext, Response};
use rosetta_model::{Event, Id, Kind, Permission};
use rosetta_store::{Db, Record};
use tokio::sync::{broadcast, mpsc};

use super::listing::{can_see_event, event_json};

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Opens the stream.
pub(super) fn stream(ctx: &RequestContext, request: &Request) -> Result<Response, GatewayError> {
    let principal = ctx.principal()?.clone();
    let db = Arc::clone(&ctx.app.db);
    let since = request
        .headers()
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or_else(|| Params::from_uri(request.uri()).get("since").map(str::to_owned));
    let since: Id = match since {
        Some(text) => text.trim().parse().map_err(|_| GatewayError::bad_request("`Last-Event-ID` must be an event id"))?,
        None => db.all::<Event>().last().map_or(0, |event| event.meta.id),
    };
    // Subscribe before replaying so nothing committed in between is missed.
    let feed = db.subscribe();
    let (sender, receiver) = mpsc::channel::<Bytes>(256);
    let visibility = Visibility::new(&principal, &*db);
    let sees_all = principal.scope.reads_everything() && principal.can(Permission::ViewAll);
    tokio::spawn(pump(db, feed, sender, since, move |db: &Db, event: &Event| {
        can_see_event(&visibility, db, event, sees_all)
    }));
    let frames = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|bytes| (Ok::<_, BoxError>(Frame::data(bytes)), receiver))
    });
    let mut response = http::Response::new(StreamBody::new(frames).boxed());
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/event-stream"));
    headers.insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", http::HeaderValue::from_static("no"));
    Ok(response)
}

async fn pump(
    db: Arc<Db>,
    mut feed: broadcast::Receiver<Arc<rosetta_store::ChangeSet>>,
    sender: mpsc::Sender<Bytes>,
    since: Id,
    visible: impl Fn(&Db, &Event) -> bool + Send + 'static,
) {
    let mut last_sent = since;
    if sender.send(Bytes::from_static(b": rosetta event stream\nretry: 2000\n\n")).await.is_err() {
        return;
    }
    if !catch_up(&db, &sender, &mut last_sent, &visible).await {
        return;
    }
    loop {
        let next = tokio::time::timeout(KEEP_ALIVE, feed.recv()).await;
        match next {
            Err(_) => {
                if sender.send(Bytes::from_static(b": keep-alive\n\n")).await.is_err() {
                    return;
                }
            }
            Ok(Ok(change_set)) => {
                for change in &change_set.changes {
                    let Some(Record::Event(event)) = &change.record else { continue };
                    if change.kind != Kind::Event || event.meta.id <= last_sent {
                        continue;
                    }
                    if event.meta.id != last_sent + 1 && !catch_up(&db, &sender, &mut last_sent, &visible).await {
                        return;
                    }
                    if event.meta.id > last_sent && !send_event(&db, &sender, event, &mut last_sent, &visible).await {
                        return;
                    }
                }
            }
            Ok(Err(broadcast::error::RecvError::Lagged(missed))) => {
                tracing::debug!(missed, "event stream lagged; catching up from the store");
                if !catch_up(&db, &sender, &mut last_sent, &visible).await {
                    return;
                }
            }
            Ok(Err(broadcast::error::RecvError::Closed)) => return,
        }
    }
}

/// Sends every stored event after `last_sent`; false when the client went away.
async fn catch_up(
    db: &Db,
    sender: &mpsc::Sender<Bytes>,
    last_sent: &mut Id,
    visible: &impl Fn(&Db, &Event) -> bool,
) -> bool {
    let missed: Vec<Arc<Event>> = db.all::<Event>().into_iter().filter(|event| event.meta.id > *last_sent).collect();
    for event in missed {
        if !send_event(db, sender, &event, last_sent, visible).await {
            return false;
        }
    }
    true
}

async fn send_event(
    db: &Db,
    sender: &mpsc::Sender<Bytes>,
    event: &Event,
    last_sent: &mut Id,
    visible: &impl Fn(&Db, &Event) -> bool,
) -> bool {
    *last_sent = event.meta.id;
    if !visible(db, event) {
        return true;
    }
    let data = event_json(db, event);
    let kind = data["kind"].as_str().unwrap_or("event").to_owned();
    let message = format!("id: {}\nevent: {}\ndata: {}\n\n", event.meta.id, kind, data);
    sender.send(Bytes::from(message)).await.is_ok()
}
