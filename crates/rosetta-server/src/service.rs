//! The pipeline as a `tower::Service`, so tests can call the whole gateway in process with `oneshot`.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rosetta_core::{Request, Response};

use crate::Gateway;

/// A clonable `tower::Service` over a [`Gateway`].
#[derive(Debug, Clone)]
pub struct GatewayService(pub Arc<Gateway>);

impl tower::Service<Request> for GatewayService {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let gateway = Arc::clone(&self.0);
        Box::pin(async move { Ok(gateway.handle(request, None).await) })
    }
}
