//! The application state, provided once at the root: the form, the template being edited, and
//! the run controller. Each persisted part has one effect that saves it.

use crate::run::Controller;
use crate::storage::prefs;
use crate::storage::state::{self as saved, WorkingTemplate};
use crate::storage::templates::{self, SavedTemplate};
use crate::template_book::TemplateNote;
use crate::words;
use leptos::prelude::*;
use leptos::task::spawn_local;
use synfact_core::form::{Field, FieldError, Problem, RunForm};
use synfact_core::template::{TemplateDoc, BUILT_IN};
use synfact_core::TemplateIssue;

/// Everything the page edits, as signals.
#[derive(Clone, Copy)]
pub struct AppState {
    pub ctl: Controller,
    pub form: RwSignal<RunForm>,
    pub remember_keys: RwSignal<bool>,
    pub template: RwSignal<WorkingTemplate>,
    /// Fields the user has left at least once: their problems show next to them.
    pub touched: RwSignal<Vec<Field>>,
    /// Generate was pressed with problems: every field shows its problem.
    pub show_all: RwSignal<bool>,
    /// Template fields the user has left or edited: an empty one says so from then on.
    pub template_touched: RwSignal<Vec<synfact_core::TemplateField>>,
    /// Something the browser could not keep (the form or the working template).
    pub save_error: RwSignal<Option<crate::errors::SaveError>>,
    /// The saved working template has been read (until then nothing overwrites it, and the
    /// editor is not shown).
    pub template_loaded: RwSignal<bool>,
    /// The working template's file, parsed (see `template_book`).
    pub parsed: Memo<(Option<TemplateDoc>, Vec<TemplateIssue>)>,
    pub my_templates: RwSignal<Vec<SavedTemplate>>,
    pub note: RwSignal<Option<TemplateNote>>,
    pub share_link: RwSignal<Option<String>>,
    /// A share link in the address could not be opened.
    pub link_error: RwSignal<Option<String>>,
    /// The last judge self-test.
    pub selftest: RwSignal<
        Option<
            Result<synfact_core::quality::selftest::SelfTestResult, crate::errors::SelfTestError>,
        >,
    >,
    /// Prices per model (defaults with the user's own over them), kept in this browser.
    pub prices: RwSignal<synfact_core::cost::PriceTable>,
}

impl AppState {
    pub fn new() -> AppState {
        let template = RwSignal::new(WorkingTemplate {
            choice: BUILT_IN[0].0.to_string(),
            text: BUILT_IN[0].1.trim().to_string(),
            dirty: false,
        });
        AppState {
            ctl: Controller::new(),
            form: RwSignal::new(prefs::load_form()),
            remember_keys: RwSignal::new(prefs::remember_keys()),
            template,
            parsed: Memo::new(move |_| template.with(|t| TemplateDoc::parse(&t.text))),
            my_templates: RwSignal::new(Vec::new()),
            note: RwSignal::new(None),
            share_link: RwSignal::new(None),
            link_error: RwSignal::new(None),
            selftest: RwSignal::new(None),
            prices: RwSignal::new(prefs::load_prices()),
            touched: RwSignal::new(Vec::new()),
            show_all: RwSignal::new(false),
            template_touched: RwSignal::new(Vec::new()),
            save_error: RwSignal::new(None),
            template_loaded: RwSignal::new(false),
        }
    }

    /// Reads what IndexedDB keeps, and installs one effect per persisted thing.
    pub fn persist(self) {
        let form = self.form;
        let remember = self.remember_keys;
        let save_error = self.save_error;
        Effect::new(move |_| {
            let on = remember.get();
            prefs::set_remember_keys(on);
            if !form.with(|f| prefs::save_form(f, on)) {
                save_error.set(Some(crate::errors::SaveError::Form));
            }
        });
        let prices = self.prices;
        Effect::new(move |_| {
            if !prices.with(prefs::save_prices) {
                save_error.set(Some(crate::errors::SaveError::Prices));
            }
        });
        let template = self.template;
        let loaded = self.template_loaded;
        let ctl = self.ctl;
        let mine = self.my_templates;
        spawn_local(async move {
            if let Ok(database) = ctl.database().await {
                if let Ok(Some(t)) = saved::load_template(&database).await {
                    template.set(t);
                }
                if let Ok(list) = templates::list(&database).await {
                    mine.set(list);
                }
            }
            loaded.set(true);
            self.open_link();
        });
        // A link pasted into this tab's address bar changes only the fragment: no reload.
        let on_hash = window_event_listener(leptos::ev::hashchange, move |_| {
            if loaded.get_untracked() {
                self.open_link();
            }
        });
        on_cleanup(move || on_hash.remove());
        // The working template, and (when it is one of My templates) that template too.
        Effect::new(move |_| {
            let t = template.get();
            if !loaded.get() {
                return;
            }
            let name = self
                .parsed
                .with_untracked(|(d, _)| d.as_ref().map(|d| d.template.fact_name.clone()));
            let own = t.mine().filter(|_| t.dirty).map(|id| SavedTemplate {
                id: id.to_string(),
                json: t.text.clone(),
                name: name.unwrap_or_default(),
                updated_ms: crate::now_ms(),
            });
            if let Some(own) = &own {
                mine.update(|l| {
                    if let Some(x) = l.iter_mut().find(|x| x.id == own.id) {
                        *x = own.clone();
                    }
                });
            }
            spawn_local(async move {
                let result = async {
                    let database = ctl.database().await?;
                    saved::save_template(&database, &t).await?;
                    if let Some(own) = own {
                        templates::save(&database, &own).await?;
                    }
                    Ok::<_, crate::storage::db::StorageError>(())
                }
                .await;
                save_error.set(result.err().map(crate::errors::SaveError::Template));
            });
        });
    }

    /// Marks a field as visited: its problems show from now on.
    pub fn touch(self, f: Field) {
        if !self.touched.with_untracked(|t| t.contains(&f)) {
            self.touched.update(|t| t.push(f));
        }
    }

    /// Marks a template field as visited: that it is empty shows from now on.
    pub fn touch_template(self, f: synfact_core::TemplateField) {
        if !self.template_touched.with_untracked(|t| t.contains(&f)) {
            self.template_touched.update(|t| t.push(f));
        }
    }

    /// Whether a template problem shows yet: an empty field only once the user has been there
    /// (or pressed Generate), so a new template does not open with errors; every other problem
    /// as soon as it is typed.
    pub fn shows(self, issue: &TemplateIssue) -> bool {
        match issue {
            TemplateIssue::Empty(f) => {
                self.show_all.get() || self.template_touched.with(|t| t.contains(f))
            }
            _ => true,
        }
    }

    /// The problem to show next to a field: live, once the field was visited or Generate pressed;
    /// or the one Resume found (a changed model).
    pub fn field_error(self, f: Field) -> Signal<Option<String>> {
        let live = Memo::new(move |_| self.form.with(|form| form.check()));
        Signal::derive(move || {
            let shown = self.show_all.get() || self.touched.with(|t| t.contains(&f));
            let found: Option<FieldError> = live
                .with(|errors| errors.iter().find(|e| e.field == f).cloned())
                .filter(|_| shown)
                .or_else(|| {
                    // Only what the live check cannot know (the run Resume would carry on): other
                    // problems from the last Generate are stale once the field is fixed.
                    self.ctl.field_errors.with(|e| {
                        e.iter()
                            .find(|e| {
                                e.field == f
                                    && matches!(
                                        e.problem,
                                        Problem::ModelChanged { .. }
                                            | Problem::ModelCountChanged { .. }
                                    )
                            })
                            .cloned()
                    })
                });
            found.map(|e| words::field_error(&e))
        })
    }
}

impl Default for AppState {
    fn default() -> Self {
        Self::new()
    }
}
