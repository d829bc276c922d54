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
    let answered = Promise::new(&mut |answer, _| {
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
        let _ = request.call3(&locks, &lock_name(run_id).into(), &options, &callback);
    });
    let _ = JsFuture::from(answered).await;
    if granted.get() {
        Acquired::Held(RunLock {
            release: RefCell::new(release.borrow_mut().take()),
        })
    } else {
        Acquired::Elsewhere
    }
}
