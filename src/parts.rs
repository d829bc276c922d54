//! Parts of the page that load after the first screen: in the release build (`cargo xtask
//! build`, feature `split`) each is a wasm chunk of its own, fetched when the part first shows,
//! so the first screen does not wait for the review, the evaluation or the prompt editor. Without
//! the feature (`trunk serve`, the tests in the browser) a part is an ordinary call.
//!
//! A chunk that cannot be fetched (the network is gone, or the site was deployed again since the
//! page opened) shows a message with a Reload button: never a crash.

use crate::words;
use leptos::prelude::*;

/// What a part's chunk gives: the function that draws the part (its code lives in the chunk).
pub type Draw = fn() -> AnyView;

/// Code without a view of its own that lives in a chunk (called with `call_split!`), named for
/// the message when its chunk cannot be fetched (`words::split_code`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SplitCode {
    /// The executor's engine half (`run::EngineFns`).
    RunEngine,
    /// Reading one saved run.
    SavedRun,
    /// Reading saved runs' counts.
    SavedRuns,
    /// Serialising runs (`storage::runs::Writers`).
    RunSaving,
    /// Decoding a share link.
    LinkOpening,
    /// Encoding a share link.
    LinkMaking,
    /// Following a fine-tuning job.
    FineTuneFollowing,
    /// The template section's actions (new, duplicate, save, delete, import, export, share).
    TemplateActions,
}

/// A chunk that could not be loaded, in the loader's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkError(pub String);

impl From<leptos::wasm_split::SplitLoaderError> for ChunkError {
    fn from(e: leptos::wasm_split::SplitLoaderError) -> Self {
        ChunkError(e.to_string())
    }
}

/// Declares a part: `part!(name, chunk => view)` defines `name()`, which loads `chunk` (with the
/// feature) and gives the function that draws `view`.
macro_rules! part {
    ($(#[$doc:meta])* $name:ident, $chunk:ident => $view:expr) => {
        $(#[$doc])*
        #[cfg_attr(
            feature = "split",
            leptos::wasm_split::wasm_split($chunk, wasm_split_path = ::leptos::wasm_split, fallible)
        )]
        #[allow(unsafe_code)]
        pub fn $name() -> Result<$crate::parts::Draw, $crate::parts::ChunkError> {
            fn draw() -> leptos::prelude::AnyView {
                leptos::prelude::IntoAny::into_any($view)
            }
            Ok(draw)
        }
    };
}
pub(crate) use part;

/// Calls a function that lives in a chunk (declared with the split attribute, as `part!` does):
/// a future of its result, which fetches the chunk first with the feature.
macro_rules! call_split {
    ($($call:tt)*) => {{
        #[cfg(feature = "split")]
        let called = async move { $($call)*.await };
        #[cfg(not(feature = "split"))]
        let called = async move { $($call)* };
        called
    }};
}
pub(crate) use call_split;

/// Loads a part declared with `part!`.
macro_rules! load {
    ($name:path) => {{
        Box::pin($crate::parts::call_split!($name()))
            as std::pin::Pin<
                Box<
                    dyn std::future::Future<
                        Output = Result<$crate::parts::Draw, $crate::parts::ChunkError>,
                    >,
                >,
            >
    }};
}
pub(crate) use load;

thread_local! {
    /// Whether a part has already said that its chunk could not be fetched.
    static FAILURE_SAID: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A part of the page: while its chunk loads (on a fast connection, a few frames) an empty block
/// as tall as the part will be (`reserve`, a class of `style/main.css`), so what is below does
/// not jump when it comes; then the part; or what went wrong, with a way to reload.
#[component]
pub fn Lazy(
    /// What the part is, for the message if it cannot be loaded ("the review and downloads").
    what: &'static str,
    loading: std::pin::Pin<Box<dyn std::future::Future<Output = Result<Draw, ChunkError>>>>,
    /// The class giving the block shown while loading its height; none: nothing is shown.
    #[prop(optional)]
    reserve: &'static str,
) -> impl IntoView {
    let slot = RwSignal::new(None::<Result<Draw, ChunkError>>);
    // The first part whose chunk fails says it all, with the button; the others, one line each.
    let first = StoredValue::new(false);
    leptos::task::spawn_local(async move {
        let loaded = loading.await;
        if loaded.is_err() {
            first.set_value(!FAILURE_SAID.replace(true));
        }
        slot.set(Some(loaded));
    });
    move || match slot.get() {
        None if reserve.is_empty() => ().into_any(),
        None => view! { <div class=reserve aria-hidden="true"></div> }.into_any(),
        Some(Ok(draw)) => draw(),
        Some(Err(_)) if !first.get_value() => {
            view! { <p class="chunk-error">{words::chunk_failed_too(what)}</p> }.into_any()
        }
        Some(Err(_)) => view! {
            <div role="alert" class="chunk-error">
                <p>{words::chunk_failed(what)}</p>
                <button type="button" on:click=|_| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }>"Reload the page"</button>
            </div>
        }
        .into_any(),
    }
}
