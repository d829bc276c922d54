//! The template being edited and the user's own templates, as the page holds them: choosing,
//! editing (in the form or the JSON), new / duplicate / delete with undo, saving, import, export
//! and share links. Edits that exist nowhere else are never dropped: switching away keeps them in
//! My templates.

use crate::download::save_text;
use crate::errors::{ImportError, SaveError, TemplateFileError};
use crate::form_state::FormState;
use crate::run::Controller;
use crate::storage::templates::{self, SavedTemplate};
use crate::storage::working::{self as saved, WorkingTemplate};
use crate::words;
use leptos::prelude::*;
use leptos::task::spawn_local;
use synfact_core::template::share;
use synfact_core::template::{TemplateDoc, TemplateField, TemplateIssue, BUILT_IN};
use synfact_core::FactTemplate;

/// Something to tell about the template, next to it.
#[derive(Clone, Debug, PartialEq)]
pub enum TemplateNote {
    /// Unsaved edits were kept in My templates under this name.
    Kept(String),
    /// A template was deleted; Undo brings it back.
    Deleted(SavedTemplate),
    /// A shared template was opened from a link (not saved yet); unsaved edits it replaced
    /// were kept under the second name.
    Opened {
        name: String,
        kept: Option<String>,
    },
    /// A share link in the address is being opened (its decoder may still be loading).
    OpeningLink,
    /// The share link was copied (or has to be copied by hand).
    Copied(bool),
    Saved(String),
    Imported {
        file: String,
        warnings: Vec<TemplateIssue>,
        kept: Option<String>,
    },
}

/// The requirements the built-ins share (the original module's default list).
pub fn default_requirements() -> Vec<String> {
    FactTemplate::built_in(BUILT_IN[0].0)
        .map(|t| t.question_requirements)
        .unwrap_or_default()
}

fn new_id() -> String {
    format!(
        "tpl-{}-{:04x}",
        crate::now_ms() as u64,
        (js_sys::Math::random() * 65535.0) as u32
    )
}

/// The template's signals (provided once at the root).
#[derive(Clone, Copy)]
pub struct TemplateState {
    ctl: Controller,
    pub template: RwSignal<WorkingTemplate>,
    /// The working template's file, parsed.
    pub parsed: Memo<(Option<TemplateDoc>, Vec<TemplateIssue>)>,
    pub my_templates: RwSignal<Vec<SavedTemplate>>,
    pub note: RwSignal<Option<TemplateNote>>,
    /// The share link made last, and the template file it was made from (see `share_link`).
    made_link: RwSignal<Option<(String, String)>>,
    /// A share link could not be opened (from the address) or made (Share), and why.
    pub link_error: RwSignal<Option<String>>,
    /// The saved working template has been read (until then nothing overwrites it, and the
    /// editor is not shown).
    pub loaded: RwSignal<bool>,
    /// Template fields the user has left or edited: an empty one says so from then on.
    pub touched: RwSignal<Vec<TemplateField>>,
    /// The form's: Generate was pressed, so every problem shows.
    show_all: RwSignal<bool>,
    save_error: RwSignal<Option<SaveError>>,
}

impl TemplateState {
    pub fn new(ctl: Controller, form: FormState) -> TemplateState {
        let template = RwSignal::new(WorkingTemplate {
            choice: BUILT_IN[0].0.to_string(),
            text: BUILT_IN[0].1.trim().to_string(),
            dirty: false,
        });
        TemplateState {
            ctl,
            template,
            parsed: Memo::new(move |_| template.with(|t| TemplateDoc::parse(&t.text))),
            my_templates: RwSignal::new(Vec::new()),
            note: RwSignal::new(None),
            made_link: RwSignal::new(None),
            link_error: RwSignal::new(None),
            loaded: RwSignal::new(false),
            touched: RwSignal::new(Vec::new()),
            show_all: form.show_all,
            save_error: form.save_error,
        }
    }

    /// Reads what IndexedDB keeps, and installs the effect that saves the working template.
    pub fn persist(self) {
        let save_error = self.save_error;
        let template = self.template;
        let loaded = self.loaded;
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
                save_error.set(result.err().map(SaveError::Template));
            });
        });
    }

    /// Marks a template field as visited: that it is empty shows from now on.
    pub fn touch(self, f: TemplateField) {
        if !self.touched.with_untracked(|t| t.contains(&f)) {
            self.touched.update(|t| t.push(f));
        }
    }

    /// Whether a template problem shows yet: an empty field only once the user has been there
    /// (or pressed Generate), so a new template does not open with errors; every other problem
    /// as soon as it is typed.
    pub fn shows(self, issue: &TemplateIssue) -> bool {
        match issue {
            TemplateIssue::Empty(f) => self.show_all.get() || self.touched.with(|t| t.contains(f)),
            _ => true,
        }
    }

    /// The template file as parsed now: the template (when the JSON holds one) and its problems.
    pub fn parsed(self) -> (Option<TemplateDoc>, Vec<TemplateIssue>) {
        self.parsed.get()
    }

    /// The share link made last, while the template is still the one it was made from: no edit,
    /// switch or delete has to remember to take it away (tracked).
    pub fn share_link(self) -> Option<String> {
        self.made_link.with(|m| {
            m.as_ref()
                .filter(|(text, _)| self.template.with(|t| t.text == *text))
                .map(|(_, link)| link.clone())
        })
    }

    /// Typing in the JSON view.
    pub fn edit_text(self, text: String) {
        // A file written by hand says everything it lacks at once.
        self.touched.set(TemplateField::ALL.to_vec());
        self.template.update(|t| {
            t.text = text;
            t.dirty = true;
            if BUILT_IN.iter().any(|(n, _)| *n == t.choice) {
                t.choice = "custom".into();
            }
        });
    }

    /// Whether the form must not write the template back: the JSON holds something the parsed
    /// template lacks (`TemplateIssue::drops_content`).
    pub fn form_locked(self) -> bool {
        self.parsed.with(|(_, issues)| drops_content(issues))
    }

    /// An edit in the form: applied to the parsed template, then written back as JSON (never
    /// while that would drop part of the JSON).
    pub fn edit_doc(self, f: impl FnOnce(&mut TemplateDoc)) {
        if self
            .parsed
            .with_untracked(|(_, issues)| drops_content(issues))
        {
            return;
        }
        let Some(mut doc) = self.parsed.with_untracked(|(d, _)| d.clone()) else {
            return;
        };
        f(&mut doc);
        self.edit_text(doc.to_json());
    }

    /// Replaces the working template; edits that exist nowhere else go to My templates first
    /// (their name is returned, and told).
    fn replace_working(self, next: WorkingTemplate) -> Option<String> {
        // Another template: its empty fields are news only once visited.
        self.touched.set(Vec::new());
        let current = self.template.get_untracked();
        let kept = current.is_unsaved().then(|| self.keep(&current.text, ""));
        self.note.set(kept.clone().map(TemplateNote::Kept));
        self.template.set(next);
        kept
    }

    /// Saves a template file as a new one of My templates; returns its name.
    fn keep(self, text: &str, suffix: &str) -> String {
        let doc = TemplateDoc::parse(text).0;
        let name = doc
            .as_ref()
            .map(|d| d.template.fact_name.clone())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "untitled".into());
        let name = format!("{name}{suffix}");
        let json = match doc {
            Some(mut d) => {
                d.template.fact_name = name.clone();
                d.to_json()
            }
            // Unreadable JSON is kept as typed: nothing the user wrote is thrown away.
            None => text.to_string(),
        };
        let saved = SavedTemplate {
            id: new_id(),
            json,
            name: name.clone(),
            updated_ms: crate::now_ms(),
        };
        self.store(saved);
        name
    }

    /// Writes one of My templates and updates the list.
    fn store(self, t: SavedTemplate) {
        self.my_templates.update(|list| {
            list.retain(|x| x.id != t.id);
            list.push(t.clone());
            list.sort_unstable_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        });
        let ctl = self.ctl;
        let save_error = self.save_error;
        spawn_local(async move {
            let result = async { templates::save(&*ctl.database().await?, &t).await }.await;
            if let Err(e) = result {
                save_error.set(Some(SaveError::MyTemplate {
                    name: t.name,
                    error: e,
                }));
            }
        });
    }

    /// The Template list: a built-in, one of My templates.
    pub fn choose(self, value: String) {
        if value == self.template.with_untracked(|t| t.choice.clone()) {
            return;
        }
        let text = if let Some((_, json)) = BUILT_IN.iter().find(|(n, _)| *n == value) {
            json.trim().to_string()
        } else if let Some(id) = value.strip_prefix("mine:") {
            match self
                .my_templates
                .with_untracked(|l| l.iter().find(|t| t.id == id).map(|t| t.json.clone()))
            {
                Some(j) => j,
                None => return,
            }
        } else {
            return;
        };
        self.replace_working(WorkingTemplate {
            choice: value,
            text,
            dirty: false,
        });
    }

    /// A new template of my own: empty fact fields and the standard requirements.
    pub fn new_template(self) {
        let name = self.free_name("new_fact");
        let doc = TemplateDoc {
            template: FactTemplate {
                fact_name: name.clone(),
                question_requirements: default_requirements(),
                ..FactTemplate::default()
            },
            prompts: Default::default(),
            eval: Default::default(),
        };
        self.show_all.set(false);
        self.add_mine(doc.to_json(), name);
    }

    /// `base`, or `base_2`, `base_3`… : the first name none of My templates has.
    fn free_name(self, base: &str) -> String {
        let taken = |n: &str| {
            self.my_templates
                .with_untracked(|l| l.iter().any(|t| t.name == n))
        };
        (1..)
            .map(|i| match i {
                1 => base.to_string(),
                i => format!("{base}_{i}"),
            })
            .find(|n| !taken(n))
            .unwrap_or_default()
    }

    fn add_mine(self, json: String, name: String) {
        let saved = SavedTemplate {
            id: new_id(),
            json: json.clone(),
            name,
            updated_ms: crate::now_ms(),
        };
        let choice = format!("mine:{}", saved.id);
        self.store(saved);
        self.replace_working(WorkingTemplate {
            choice,
            text: json,
            dirty: false,
        });
    }

    /// A copy of the template shown, as one of My templates.
    pub fn duplicate(self) {
        let text = self.template.with_untracked(|t| t.text.clone());
        let Some(mut doc) = TemplateDoc::parse(&text).0 else {
            return;
        };
        doc.template.fact_name = self.free_name(&format!("{}_copy", doc.template.fact_name));
        let name = doc.template.fact_name.clone();
        // Replacing keeps any unsaved original first.
        self.add_mine(doc.to_json(), name);
    }

    /// Saves a changed built-in, an import or a shared template as one of My templates.
    pub fn save_to_mine(self) {
        let mut text = self.template.with_untracked(|t| t.text.clone());
        let name = match TemplateDoc::parse(&text).0 {
            // Saved twice, or beside one of the same name: a name of its own, in the file too,
            // so the list and the downloads tell them apart.
            Some(mut doc) => {
                let name = self.free_name(&doc.template.fact_name);
                if name != doc.template.fact_name {
                    doc.template.fact_name = name.clone();
                    text = doc.to_json();
                }
                name
            }
            None => "untitled".into(),
        };
        let saved = SavedTemplate {
            id: new_id(),
            json: text.clone(),
            name: name.clone(),
            updated_ms: crate::now_ms(),
        };
        let choice = format!("mine:{}", saved.id);
        self.store(saved);
        self.template.set(WorkingTemplate {
            choice,
            text,
            dirty: false,
        });
        self.note.set(Some(TemplateNote::Saved(name)));
    }

    /// Deletes the template shown (one of My templates); Undo brings it back.
    pub fn delete_mine(self) {
        let Some(id) = self
            .template
            .with_untracked(|t| t.mine().map(str::to_string))
        else {
            return;
        };
        let Some(gone) = self
            .my_templates
            .with_untracked(|l| l.iter().find(|t| t.id == id).cloned())
        else {
            return;
        };
        self.my_templates.update(|l| l.retain(|t| t.id != id));
        let ctl = self.ctl;
        spawn_local(async move {
            if let Ok(database) = ctl.database().await {
                let _ = templates::delete(&database, &id).await;
            }
        });
        self.template.set(WorkingTemplate {
            choice: BUILT_IN[0].0.into(),
            text: BUILT_IN[0].1.trim().into(),
            dirty: false,
        });
        self.note.set(Some(TemplateNote::Deleted(gone)));
    }

    pub fn undo_delete(self) {
        if let Some(TemplateNote::Deleted(t)) = self.note.get_untracked() {
            let choice = format!("mine:{}", t.id);
            let text = t.json.clone();
            self.store(t);
            self.template.set(WorkingTemplate {
                choice,
                text,
                dirty: false,
            });
            self.note.set(None);
        }
    }

    /// A file read by the picker or dropped on the editor. Returns the problem if it was not
    /// imported (then nothing changed).
    pub fn import(self, file: &str, text: &str) -> Result<(), ImportError> {
        // A note about an earlier import no longer describes the template after a failed one.
        if matches!(
            self.note.get_untracked(),
            Some(TemplateNote::Imported { .. })
        ) {
            self.note.set(None);
        }
        if text.trim().is_empty() {
            return Err(ImportError::Empty(file.to_string()));
        }
        let (doc, issues) = TemplateDoc::parse(text);
        let (warnings, errors): (Vec<_>, Vec<_>) = issues.into_iter().partition(|i| i.is_warning());
        let Some(doc) = doc.filter(|_| errors.is_empty()) else {
            // The errors, then the unknown names that may explain them ("did you mean").
            let issues = errors
                .into_iter()
                .chain(warnings.into_iter().filter(|w| w.drops_content()))
                .collect();
            return Err(ImportError::Invalid {
                file: file.to_string(),
                issues,
            });
        };
        let kept = self.replace_working(WorkingTemplate {
            choice: "custom".into(),
            text: doc.to_json(),
            dirty: true,
        });
        self.note.set(Some(TemplateNote::Imported {
            file: file.to_string(),
            warnings,
            kept,
        }));
        Ok(())
    }

    /// Downloads the template file as `<fact_name>.template.json`.
    pub fn export(self) -> Result<(), TemplateFileError> {
        let Some(doc) = self.parsed.with_untracked(|(d, _)| d.clone()) else {
            return Err(TemplateFileError::NotJson);
        };
        let name = if doc.template.fact_name.trim().is_empty() {
            "template".to_string()
        } else {
            doc.template.fact_name.clone()
        };
        Ok(save_text(
            &format!("{name}.template.json"),
            &doc.to_json(),
            "application/json",
        )?)
    }

    /// Makes the share link of the template shown, shows it, and tries to copy it.
    pub fn share(self) -> Result<(), TemplateFileError> {
        let (doc, issues) = self.parsed.get_untracked();
        let errors: Vec<TemplateIssue> = issues.into_iter().filter(|i| !i.is_warning()).collect();
        let Some(doc) = doc.filter(|_| errors.is_empty()) else {
            return Err(TemplateFileError::NotShareable(errors));
        };
        let here = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .ok_or(TemplateFileError::NoAddress)?;
        let base = here.split('#').next().unwrap_or(&here).to_string();
        let note = self.note;
        // What an earlier press showed no longer stands.
        self.link_error.set(None);
        self.made_link.set(None);
        let text = self.template.with_untracked(|t| t.text.clone());
        spawn_local(async move {
            let link = match crate::parts::call_split!(encode_link(doc)).await {
                Ok(fragment) => format!("{base}{fragment}"),
                Err(_) => {
                    let what = words::split_code(crate::parts::SplitCode::LinkMaking);
                    return self.link_error.set(Some(words::chunk_failed(what)));
                }
            };
            self.made_link.set(Some((text, link.clone())));
            let copied = match web_sys::window().map(|w| w.navigator().clipboard()) {
                Some(c) => wasm_bindgen_futures::JsFuture::from(c.write_text(&link))
                    .await
                    .is_ok(),
                None => false,
            };
            note.set(Some(TemplateNote::Copied(copied)));
        });
        Ok(())
    }

    /// At start-up: a share link in the address opens its template (unsaved), without touching
    /// anything the visitor had; a broken link says what is wrong and changes nothing.
    pub fn open_link(self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let hash = window.location().hash().unwrap_or_default();
        if !hash.starts_with(share::PREFIX) {
            return;
        }
        // On a slow connection the decoder's chunk takes a moment: the page says what is coming
        // rather than showing the built-in template as if it were the link's.
        self.note.set(Some(TemplateNote::OpeningLink));
        spawn_local(async move {
            let decoded = match crate::parts::call_split!(decode_link(hash)).await {
                Ok(d) => d,
                Err(_) => {
                    self.note.set(None);
                    // The link stays in the address, so the reload the message asks for opens it.
                    let what = words::split_code(crate::parts::SplitCode::LinkOpening);
                    return self.link_error.set(Some(words::chunk_failed(what)));
                }
            };
            // The link has done its work: a reload must not open it over later edits.
            if let Some(window) = web_sys::window() {
                if let Ok(history) = window.history() {
                    let here = window.location().href().unwrap_or_default();
                    let bare = here.split('#').next().unwrap_or("").to_string();
                    let no_state = wasm_bindgen::JsValue::NULL;
                    let _ = history.replace_state_with_url(&no_state, "", Some(&bare));
                }
            }
            self.opened_link(decoded);
        });
    }

    fn opened_link(self, decoded: Result<TemplateDoc, share::LinkError>) {
        match decoded {
            Ok(doc) => {
                self.link_error.set(None);
                let name = doc.template.fact_name.clone();
                let kept = self.replace_working(WorkingTemplate {
                    choice: "shared".into(),
                    text: doc.to_json(),
                    dirty: true,
                });
                self.note.set(Some(TemplateNote::Opened { name, kept }));
            }
            Err(e) => {
                self.note.set(None);
                self.link_error.set(Some(words::link_error(&e)));
            }
        }
    }
}

/// A share link's template (decompressing and reading it is large, and needed only when a link is
/// opened): in the chunk of what loads after the first screen.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(unsafe_code)]
fn decode_link(
    hash: String,
) -> Result<Result<TemplateDoc, share::LinkError>, crate::parts::ChunkError> {
    Ok(share::decode(&hash))
}

/// A template's share link (after the page's address), made in the same chunk.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(later, wasm_split_path = ::leptos::wasm_split, fallible)
)]
#[allow(unsafe_code)]
fn encode_link(doc: TemplateDoc) -> Result<String, crate::parts::ChunkError> {
    Ok(share::encode(&doc))
}

/// Whether writing the parsed template back would drop part of its file.
fn drops_content(issues: &[TemplateIssue]) -> bool {
    issues.iter().any(TemplateIssue::drops_content)
}
