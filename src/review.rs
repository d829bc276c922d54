//! What the review view shows: the filter, the listing it lets through (kept up to date from the
//! items that changed), and the item open. Shared by the list, the item panel and the yield grid.

use crate::run::Controller;
use leptos::prelude::*;
use synfact_core::run::filter::{Filter, Listing, StatusFilter};
use synfact_core::run::review::{check, ReviewAction};
use synfact_core::run::Counts;

/// The review's filter and selection, provided as context under the results.
#[derive(Clone, Copy)]
pub struct ReviewState {
    pub show: RwSignal<String>,
    pub model: RwSignal<Option<usize>>,
    pub question: RwSignal<Option<u32>>,
    pub requirement: RwSignal<Option<u32>>,
    pub text: RwSignal<String>,
    /// The item open in the panel.
    pub open: RwSignal<Option<usize>>,
    pub editing: RwSignal<bool>,
    /// Why the last action was not applied.
    pub message: RwSignal<Option<String>>,
    listing: StoredValue<Listing, LocalStorage>,
    /// Bumped when the listing changes.
    pub listed: RwSignal<u64>,
    /// The run's items by state, counted once per redraw for every part of the results.
    pub counts: Memo<Counts>,
    /// Where the keyboard focus goes back to when a redraw removes the focused element (the open
    /// item's row after A or R, the Edit button after Save): set by the keyboard action, dropped
    /// as soon as the focus goes anywhere else.
    focus_home: StoredValue<Option<FocusHome>>,
}

/// Where the review's keyboard focus belongs: `at` (a CSS selector) to focus, `within` the
/// elements that count as being there.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct FocusHome {
    pub at: &'static str,
    pub within: &'static str,
}

/// The open item's row in the list (any row counts: focusing one opens it).
pub const ROW_HOME: FocusHome = FocusHome {
    at: ".review-list li[aria-current='true']",
    within: ".review-list li",
};

/// The Edit button of the open item.
pub const EDIT_HOME: FocusHome = FocusHome {
    at: "#review-edit",
    within: "#review-edit",
};

pub fn status_filter(v: &str) -> StatusFilter {
    match v {
        "accepted" => StatusFilter::Accepted,
        "rejected" => StatusFilter::Rejected,
        "failed" => StatusFilter::Failed,
        "open" => StatusFilter::Open,
        "edited" => StatusFilter::Edited,
        "kept" => StatusFilter::Kept,
        "deleted" => StatusFilter::Deleted,
        _ => StatusFilter::All,
    }
}

impl ReviewState {
    /// Moves the keyboard focus to `home.at` once drawn, and back there after any redraw that
    /// removes it, until the focus goes outside `home.within`.
    pub fn focus(&self, home: FocusHome) {
        self.focus_home.set_value(Some(home));
        crate::components::focus_after_draw(home.at);
    }

    /// Like `focus`, for an element that has the focus already.
    pub fn hold_focus(&self, home: FocusHome) {
        self.focus_home.set_value(Some(home));
    }

    pub fn new(ctl: Controller) -> ReviewState {
        let s = ReviewState {
            show: RwSignal::new("all".into()),
            model: RwSignal::new(None),
            question: RwSignal::new(None),
            requirement: RwSignal::new(None),
            text: RwSignal::new(String::new()),
            open: RwSignal::new(None),
            editing: RwSignal::new(false),
            message: RwSignal::new(None),
            listing: StoredValue::new_local(Listing::default()),
            listed: RwSignal::new(0),
            focus_home: StoredValue::new(None),
            counts: Memo::new(move |_| {
                ctl.view.revision.track();
                ctl.view.progress.track();
                ctl.with_run(|r| Counts::of(&r.items)).unwrap_or_default()
            }),
        };
        let revision = ctl.view.revision;
        // A redraw that took the focus away gives it back to where the last keyboard action left it.
        Effect::new(move |_| {
            revision.track();
            s.open.track();
            s.editing.track();
            if let Some(home) = s.focus_home.get_value() {
                request_animation_frame(move || {
                    let lost = document().active_element().is_none_or(|a| {
                        document().body().is_some_and(|b| a.is_same_node(Some(&b)))
                    });
                    if lost && s.focus_home.get_value() == Some(home) {
                        crate::components::focus_after_draw(home.at);
                    }
                });
            }
        });
        let home = s.focus_home;
        let moved = window_event_listener(leptos::ev::focusin, move |e| {
            let at_home = home.get_value().is_some_and(|h| {
                e.target()
                    .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
                    .is_some_and(|el| el.matches(h.within).unwrap_or(false))
            });
            if !at_home {
                home.set_value(None);
            }
        });
        on_cleanup(move || moved.remove());
        // A new filter rebuilds the listing; a new revision updates it with the items that changed.
        Effect::new(move |prev: Option<(Filter, u64)>| {
            let filter = s.filter();
            let rev = revision.get();
            let rebuild = rev.all
                || prev
                    .as_ref()
                    .is_none_or(|(f, n)| *f != filter || *n + 1 != rev.number);
            ctl.with_run(|run| {
                s.listing.update_value(|l| {
                    if rebuild {
                        *l = Listing::new(filter.clone(), run);
                    } else {
                        l.update(run, &rev.changed);
                    }
                })
            })
            .unwrap_or_else(|| s.listing.set_value(Listing::default()));
            s.listed.update(|n| *n += 1);
            (filter, rev.number)
        });
        // Another run shown: nothing of the last one stays open.
        Effect::new(move |prev: Option<bool>| {
            let all = revision.with(|r| r.all);
            if all && prev.is_some() {
                s.open.set(None);
                s.editing.set(false);
            }
            all
        });
        s
    }

    /// The filter as the controls set it (tracked).
    pub fn filter(&self) -> Filter {
        Filter {
            status: status_filter(&self.show.get()),
            generator: self.model.get(),
            question: self.question.get(),
            requirement: self.requirement.get(),
            text: self.text.get(),
        }
    }

    /// How many items the filter lets through (tracked).
    pub fn shown(&self) -> usize {
        self.listed.track();
        self.listing.with_value(Listing::len)
    }

    /// Up to `n` listed ids from `start` (tracked).
    pub fn page(&self, start: usize, n: usize) -> Vec<usize> {
        self.listed.track();
        self.listing.with_value(|l| l.page(start, n).to_vec())
    }

    pub fn position(&self, id: usize) -> Option<usize> {
        self.listing.with_value(|l| l.position(id))
    }

    /// Every listed id (for the bulk actions).
    pub fn all_ids(&self) -> Vec<usize> {
        self.listing.with_value(|l| l.ids().to_vec())
    }

    /// Opens the next (`delta` 1) or previous (-1) listed item; the first when none is open.
    pub fn step(&self, delta: isize) {
        let ids = self.all_ids();
        if ids.is_empty() {
            return;
        }
        let open = self.open.get_untracked();
        let at = match open.map(|id| ids.binary_search(&id)) {
            None => 0,
            Some(Ok(p)) => (p as isize + delta).clamp(0, ids.len() as isize - 1) as usize,
            // The open item left the listing: the next one is where it would be.
            Some(Err(p)) => {
                if delta > 0 {
                    p.min(ids.len() - 1)
                } else {
                    p.saturating_sub(1)
                }
            }
        };
        self.editing.set(false);
        self.message.set(None);
        self.open.set(Some(ids[at]));
    }

    /// Applies a reviewer action to items, or says why it cannot be.
    pub fn act(&self, ctl: Controller, ids: Vec<usize>, action: ReviewAction) {
        let refusal = ctl.with_run(|run| {
            ids.iter()
                .filter_map(|&id| run.items.get(id))
                .find_map(|i| check(i, &action).err().map(|e| (i.id, e)))
        });
        match refusal.flatten() {
            Some((id, e)) if ids.len() == 1 => {
                self.message.set(Some(crate::words::not_changed(id, &e)));
            }
            _ => {
                self.message.set(None);
                // In bulk, items that cannot take the action are left as they are.
                let ok: Vec<usize> = ctl
                    .with_run(|run| {
                        ids.iter()
                            .copied()
                            .filter(|&id| {
                                run.items.get(id).is_some_and(|i| check(i, &action).is_ok())
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ctl.review(ok, action);
            }
        }
    }
}
