//! The dataset as files: the chat and text JSONL of the reviewed set (split by a seeded shuffle
//! when asked), the manifest that reproduces and audits it, and the bundle of both that a
//! download or a Hub push writes. `chat` reads and checks chat lines, `export` writes lines,
//! `hub` speaks the Hugging Face Hub's API.

pub mod chat;
pub mod export;
pub mod hub;

use crate::cost::price::PriceTable;
use crate::cost::CostReport;
use crate::dataset::chat::{chat_line_of, check_run, ItemProblem};
use crate::dataset::export::text_line;
use crate::run::Counts;
use crate::run::{Item, Run};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Splits ids into train and validation sets: `validation` is the share held out (0 to 1),
/// chosen by a seeded shuffle so the same seed gives the same split. Each set keeps plan order.
pub fn split(ids: &[usize], validation: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut shuffled = ids.to_vec();
    shuffled.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let n_val = ((ids.len() as f64) * validation.clamp(0.0, 1.0)).round() as usize;
    let mut val: Vec<usize> = shuffled[..n_val].to_vec();
    let mut train: Vec<usize> = shuffled[n_val..].to_vec();
    val.sort_unstable();
    train.sort_unstable();
    (train, val)
}

/// What an exported file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Chat,
    Text,
    /// Chat and text lines in one file, shuffled, as the original module's SFT script trains on.
    Mixed,
    /// The manifest, a dataset card: not examples.
    Other,
}

impl FileKind {
    /// The kinds that hold examples, in the order the files are written.
    pub const DATA: [FileKind; 3] = [FileKind::Chat, FileKind::Text, FileKind::Mixed];
}

/// An exported file: its name, what it holds, its split (when split) and contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetFile {
    pub name: String,
    pub kind: FileKind,
    pub split: Option<&'static str>,
    pub text: String,
}

impl DatasetFile {
    pub fn other(name: String, text: String) -> DatasetFile {
        DatasetFile {
            name,
            kind: FileKind::Other,
            split: None,
            text,
        }
    }
}

/// What to export.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportChoice {
    pub generator: Option<usize>,
    pub doctag: bool,
    /// Share held out for validation and the shuffle's seed; `None` writes one file per format.
    pub split: Option<(f64, u64)>,
}

/// The dataset files of a run (after review): chat and text JSONL, split when asked, and the
/// mixed file.
pub fn files(run: &Run, choice: &ExportChoice) -> Vec<DatasetFile> {
    files_of(run, choice, &FileKind::DATA)
}

/// The files of these kinds once every kept item passes the chat format check, or the items
/// that do not.
pub fn checked_files(
    run: &Run,
    choice: &ExportChoice,
    kinds: &[FileKind],
) -> Result<Vec<DatasetFile>, Vec<ItemProblem>> {
    let problems = check_run(run, choice.generator);
    if problems.is_empty() {
        Ok(files_of(run, choice, kinds))
    } else {
        Err(problems)
    }
}

/// Only the files of these kinds (a download of one kind builds nothing else).
pub fn files_of(run: &Run, choice: &ExportChoice, kinds: &[FileKind]) -> Vec<DatasetFile> {
    let kept: Vec<usize> = run.kept(choice.generator).map(|i| i.id).collect();
    let fact = &run.template.fact_name;
    let parts: Vec<(Option<&'static str>, Vec<usize>)> = match choice.split {
        None => vec![(None, kept)],
        Some((fraction, seed)) => {
            let (train, val) = split(&kept, fraction, seed);
            vec![(Some("train"), train), (Some("validation"), val)]
        }
    };
    let mut out = Vec::new();
    for (part, ids) in &parts {
        let suffix = part.map(|p| format!("_{p}")).unwrap_or_default();
        let items = || ids.iter().map(|&id| &run.items[id]);
        let a = |i: &Item| i.final_answer().unwrap_or("").to_string();
        let file = |kind: FileKind, name: &str, lines: Vec<String>| DatasetFile {
            name: format!("{fact}_{name}{suffix}.jsonl"),
            kind,
            split: *part,
            text: export::jsonl(lines),
        };
        for &kind in kinds {
            out.push(match kind {
                FileKind::Chat => file(kind, "chat", items().map(chat_line_of).collect()),
                FileKind::Text => file(
                    kind,
                    "text",
                    items().map(|i| text_line(&a(i), choice.doctag)).collect(),
                ),
                // Both kinds of line, shuffled by the split's seed (or the run's): the same set
                // and split, one file.
                FileKind::Mixed => {
                    let mut mixed: Vec<String> = items()
                        .map(chat_line_of)
                        .chain(items().map(|i| text_line(&a(i), choice.doctag)))
                        .collect();
                    let seed = choice.split.map_or(run.settings.seed, |(_, s)| s);
                    mixed.shuffle(&mut ChaCha8Rng::seed_from_u64(seed ^ 0x006d_6978_6564));
                    file(kind, "mixed", mixed)
                }
                FileKind::Other => continue,
            });
        }
    }
    out
}

/// The files a fine-tune uploads from an export: the chat file (the training part, when split)
/// and the validation part when there is one with lines in it. OpenAI's chat fine-tuning takes
/// chat lines only, so the text and mixed files stay out.
pub fn fine_tune_files(files: &[DatasetFile]) -> Option<(&DatasetFile, Option<&DatasetFile>)> {
    let chat = |split: Option<&str>| {
        files
            .iter()
            .find(|f| f.kind == FileKind::Chat && f.split == split)
    };
    match chat(None) {
        Some(whole) => Some((whole, None)),
        None => Some((
            chat(Some("train"))?,
            chat(Some("validation")).filter(|v| !v.text.trim().is_empty()),
        )),
    }
}

/// Extra body fields whose names suggest a credential (some gateways take a key in the body):
/// their values are replaced, so a manifest or a dataset card never carries one.
fn mask_secrets(map: &mut serde_json::Map<String, Value>) {
    for (k, v) in map.iter_mut() {
        let name = k.to_ascii_lowercase();
        if ["key", "token", "secret", "auth", "password", "credential"]
            .iter()
            .any(|w| name.contains(w))
        {
            *v = json!("[removed]");
        } else if let Value::Object(inner) = v {
            mask_secrets(inner);
        }
    }
}

/// The SHA-256 of a text, in hex.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The manifest's file name for a fact.
pub fn manifest_name(fact_name: &str) -> String {
    format!("{fact_name}_manifest.json")
}

/// A record of how a dataset was made: template, prompts, models and their settings (never a
/// key: the run holds none), plan seed, counts, tokens and cost, and each file's SHA-256.
pub fn manifest(run: &Run, prices: &PriceTable, version: &str, files: &[DatasetFile]) -> Value {
    let model = |m: &crate::run::ModelSpec| {
        let e = run.endpoints.get(m.endpoint);
        let mut settings = serde_json::to_value(&m.config).unwrap_or_default();
        if let Some(Value::Object(extra)) = settings.get_mut("extra_body") {
            mask_secrets(extra);
        }
        json!({
            "protocol": e.map(|e| e.kind.protocol_name()),
            "base_url": e.map(|e| e.base_url.as_str().to_string()),
            "settings": settings,
        })
    };
    let exported: usize = files
        .iter()
        .filter(|f| f.kind == FileKind::Chat)
        .map(|f| f.text.lines().count())
        .sum();
    let counts = Counts::of(&run.items);
    let mut reasons: BTreeMap<crate::run::reason::ReasonKind, usize> = BTreeMap::new();
    for r in run.items.iter().filter_map(|i| i.reason.as_ref()) {
        *reasons.entry(r.kind()).or_default() += 1;
    }
    let cost = CostReport::of(run, prices);
    json!({
        "app": {"name": "synfact", "version": version},
        "run": {"id": run.id, "created_ms": run.created_ms, "fingerprint": run.fingerprint()},
        "template": run.template,
        "prompts": run.prompts,
        "generators": run.generators.iter().map(model).collect::<Vec<_>>(),
        "judge": model(&run.judge),
        "settings": {
            "examples": run.settings.examples,
            "target": run.settings.target,
            "plan_seed": run.settings.seed,
            "quality": run.settings.quality,
            "budget_usd": run.settings.budget_usd,
        },
        "counts": {
            "items": counts.total(),
            "accepted": counts.accepted,
            "rejected": counts.rejected,
            "failed": counts.failed,
            "unfinished": counts.open,
            "edited": counts.edited,
            "deleted": counts.deleted,
            "exported": exported,
            "kept_after_review": counts.kept,
            "by_reason": reasons,
        },
        "quality": crate::quality::report::report(run),
        "tokens": {
            "input": cost.usage.input_tokens,
            "output": cost.usage.output_tokens,
            "reasoning": cost.usage.reasoning_tokens,
            "cached": cost.usage.cached_tokens,
            "cache_write": cost.usage.cache_write_tokens,
        },
        "cost_usd": {
            "known": cost.known_usd,
            "saved_by_prompt_cache": cost.saved_usd,
            "complete": !cost.unknown,
            "by_model_and_stage": cost.rows,
        },
        "files": files.iter().map(|f| json!({
            "name": f.name,
            "sha256": sha256_hex(&f.text),
            "lines": f.text.lines().count(),
            "bytes": f.text.len(),
        })).collect::<Vec<_>>(),
    })
}

/// A dataset ready to write: the example files as chosen, and the manifest describing them.
#[derive(Clone, Debug, PartialEq)]
pub struct Bundle {
    pub files: Vec<DatasetFile>,
    /// The manifest as a file (`<fact_name>_manifest.json`) ...
    pub manifest: DatasetFile,
    /// ... and as data (what a dataset card is written from).
    pub described: Value,
}

/// The files of the reviewed set and their manifest, once every kept item passed the chat
/// format's check; else the items that break it (all of them, in plan order).
pub fn bundle(
    run: &Run,
    choice: &ExportChoice,
    prices: &PriceTable,
    version: &str,
) -> Result<Bundle, Vec<ItemProblem>> {
    let files = checked_files(run, choice, &FileKind::DATA)?;
    let described = manifest(run, prices, version, &files);
    let manifest = DatasetFile::other(
        manifest_name(&run.template.fact_name),
        serde_json::to_string_pretty(&described).unwrap_or_default(),
    );
    Ok(Bundle {
        files,
        manifest,
        described,
    })
}

#[cfg(test)]
mod tests;
