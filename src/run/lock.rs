//! One tab per run: a Web Lock (`navigator.locks`) held while a run goes, so a second tab that
//! opens the same run cannot drive it too. Called through `js_sys::Reflect` because web-sys
//! marks the Web Locks API unstable.

use js_sys::{Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// A held lock; dropping it (or `release`) lets another tab take the run.
pub struct RunLock {
    release: RefCell<Option<Function>>,
}

impl RunLock {
    pub fn release(&self) {
        if let Some(resolve) = self.release.borrow_mut().take() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        self.release();
    }
}

/// What asking for a run's lock gave.
pub enum Acquired {
    Held(RunLock),
    /// Another tab holds it.
    Elsewhere,
    /// This browser has no Web Locks: nothing to hold.
    Unsupported,
    /// The browser refused the request (its words): the run goes on without a lock.
    Refused(String),
}

fn lock_name(run_id: &str) -> String {
    format!("synfact-run-{run_id}")
}

/// Takes the lock of a run if no other tab holds it; never waits.
pub async fn acquire(run_id: &str) -> Acquired {
    let Some(window) = web_sys::window() else {
        return Acquired::Unsupported;
    };
    let locks = Reflect::get(&window.navigator(), &"locks".into()).unwrap_or(JsValue::UNDEFINED);
    let Ok(request) =
        Reflect::get(&locks, &"request".into()).and_then(|r| r.dyn_into::<Function>())
    else {
        return Acquired::Unsupported;
    };
    // Resolved by the lock callback with whether the lock was granted.
    let granted = Rc::new(Cell::new(false));
    let release: Rc<RefCell<Option<Function>>> = Rc::new(RefCell::new(None));
    let (g, r) = (granted.clone(), release.clone());
    let answered = Promise::new(&mut |answer, refuse| {
        let (g, r) = (g.clone(), r.clone());
        let callback = Closure::once_into_js(move |lock: JsValue| -> Promise {
            if lock.is_null() {
                let _ = answer.call0(&JsValue::UNDEFINED);
                return Promise::resolve(&JsValue::UNDEFINED);
            }
            g.set(true);
            // The lock is held until this promise settles.
            let held = Promise::new(&mut |resolve, _| {
                *r.borrow_mut() = Some(resolve);
            });
            let _ = answer.call0(&JsValue::UNDEFINED);
            held
        });
        let options = Object::new();
        let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
        // The request's own promise settles when the lock is released, or rejects if the
        // browser refuses the request: then nothing else would ever answer.
        match request.call3(&locks, &lock_name(run_id).into(), &options, &callback) {
            Ok(p) => {
                let refused = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                    let _ = refuse.call1(&JsValue::UNDEFINED, &e);
                });
                if let Ok(p) = p.dyn_into::<Promise>() {
                    let _ = p.catch(&refused);
                }
                refused.forget();
            }
            Err(e) => {
                let _ = refuse.call1(&JsValue::UNDEFINED, &e);
            }
        }
    });
    if let Err(e) = JsFuture::from(answered).await {
        return Acquired::Refused(describe(&e));
    }
    if granted.get() {
        Acquired::Held(RunLock {
            release: RefCell::new(release.borrow_mut().take()),
        })
    } else {
        Acquired::Elsewhere
    }
}

/// A browser error's own words (a DOMException's name and message), for the note.
fn describe(e: &JsValue) -> String {
    let get = |k: &str| Reflect::get(e, &k.into()).ok().and_then(|v| v.as_string());
    match (get("name"), get("message")) {
        (Some(n), Some(m)) if !m.is_empty() => format!("{n}: {m}"),
        (Some(n), _) => n,
        _ => e.as_string().unwrap_or_else(|| "no reason given".into()),
    }
}
