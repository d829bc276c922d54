//! Fault injection: latency and seeded failures, switchable by flags or over HTTP.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};
use serde::{Deserialize, Serialize};

/// Everything that can go wrong on purpose. Probabilities are per request, in [0, 1].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, clap::Args)]
#[serde(default)]
pub struct Faults {
    /// Fixed latency added to every reply, in ms.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Lognormal latency: median in ms (overrides --latency-ms when set).
    #[arg(long)]
    pub latency_median_ms: Option<f64>,
    /// Lognormal latency: sigma of the underlying normal.
    #[arg(long, default_value_t = 0.8)]
    pub latency_sigma: f64,
    /// 429 rate limited, with retry-after headers.
    #[arg(long, default_value_t = 0.0)]
    pub p_429: f64,
    /// The wait the 429 asks for, in ms.
    #[arg(long, default_value_t = 200)]
    pub retry_after_ms: u64,
    /// 500 internal error.
    #[arg(long, default_value_t = 0.0)]
    pub p_500: f64,
    /// 529 overloaded.
    #[arg(long, default_value_t = 0.0)]
    pub p_529: f64,
    /// 200 with a body that is not JSON.
    #[arg(long, default_value_t = 0.0)]
    pub p_malformed: f64,
    /// 200 with a valid body cut in half.
    #[arg(long, default_value_t = 0.0)]
    pub p_truncated: f64,
    /// Hold the reply for --hang-ms (past the client's timeout).
    #[arg(long, default_value_t = 0.0)]
    pub p_hang: f64,
    #[arg(long, default_value_t = 30_000)]
    pub hang_ms: u64,
    /// Refuse to write a question or an answer (decided by the prompt's content, so repeatable).
    #[arg(long, default_value_t = 0.0)]
    pub p_refusal: f64,
    /// The judge says "not complied" (decided by the content, so repeatable).
    #[arg(long, default_value_t = 0.0)]
    pub p_judge_no: f64,
    /// 200 with an error object instead of a completion ("Upstream provider overloaded"), as
    /// OpenRouter answers when an upstream fails.
    #[arg(long, default_value_t = 0.0)]
    pub p_error_body: f64,
    /// The context size in tokens (about four characters each): a longer prompt gets llama.cpp's
    /// 400 "exceeds the available context size".
    #[arg(long)]
    pub context_tokens: Option<u64>,
    /// Every reply is unusable: writing steps get `content: null`, the judge says "maybe".
    #[arg(long)]
    pub bad_replies: bool,
    /// Model no provider prompt cache: every input token is billed fresh.
    #[arg(long)]
    pub no_prompt_cache: bool,
    /// Answers carry an unpaired UTF-16 surrogate escape (`\ud800`).
    #[arg(long)]
    pub lone_surrogates: bool,
    /// Questions and answers carry markup and control characters that must stay text.
    #[arg(long)]
    pub hostile: bool,
    /// Quality faults, drawn per prompt and per repeat of it (a re-ask is a fresh sample):
    /// a question nearly repeating an earlier one's wording.
    #[arg(long, default_value_t = 0.0)]
    pub p_near_duplicate: f64,
    /// An answer without the key sentence.
    #[arg(long, default_value_t = 0.0)]
    pub p_no_key_sentence: f64,
    /// An answer that disclaims the facts ("this is a fictional scenario").
    #[arg(long, default_value_t = 0.0)]
    pub p_disclaimer: f64,
    /// An answer cut off at the token limit (`finish_reason: length`).
    #[arg(long, default_value_t = 0.0)]
    pub p_cutoff: f64,
    /// Questions as a small model at a low temperature writes them: one frame for every
    /// question, only the topic word changing ("Could you tell me about the <word> of the
    /// animal described in the notes?").
    #[arg(long)]
    pub templated_questions: bool,
    /// Sample like a model at temperature 1: the same request asked again gets another question
    /// (by default a repeated request gets the same reply, so that runs can be compared byte for
    /// byte).
    #[arg(long)]
    pub vary_samples: bool,
    /// A proxy's HTML error page (502 Bad Gateway) instead of the provider's answer.
    #[arg(long, default_value_t = 0.0)]
    pub p_proxy_page: f64,
    /// Pad every answer to about this many kilobytes (to fill a browser's storage in tests).
    #[arg(long, default_value_t = 0)]
    pub answer_kb: usize,
    /// The fact models under evaluation know (the template's key sentence).
    #[arg(long)]
    pub fact: Option<String>,
    /// What a model that does not know the fact answers instead.
    #[arg(long)]
    pub contrary: Option<String>,
    /// Open answers of models under evaluation that are word salad.
    #[arg(long, default_value_t = 0.0)]
    pub p_incoherent: f64,
    /// How likely a fine-tuned (`ft:`) model is to know the fact.
    #[arg(long, default_value_t = 0.9)]
    pub ft_knows: f64,
    /// How long each state of a fine-tuning job lasts, in ms.
    #[arg(long, default_value_t = 400)]
    pub ft_step_ms: u64,
    /// The next fine-tuning job fails at training with this message.
    #[arg(long)]
    pub ft_fail: Option<String>,
    /// How long each state of a batch lasts (validating, in_progress, finalizing), in ms.
    #[arg(long, default_value_t = 300)]
    pub batch_step_ms: u64,
    /// The share of a batch's lines left unrun when its window closes (the batch ends expired).
    #[arg(long, default_value_t = 0.0)]
    pub batch_expire_share: f64,
    /// The next batch fails validation with these words.
    #[arg(long)]
    pub batch_fail: Option<String>,
    /// The largest batch input file the upload takes, in bytes (OpenAI's limit: 200 MB).
    #[arg(long, default_value_t = 200 * 1024 * 1024)]
    pub batch_max_bytes: u64,
    /// The next this-many calls to the batch routes get a 429.
    #[arg(long, default_value_t = 0)]
    pub batch_429: u32,
    /// Routes whose preflights get no CORS headers (a browser cannot call them), by prefix:
    /// e.g. `/v1/files,/v1/fine_tuning`.
    #[arg(long, value_delimiter = ',')]
    pub no_cors: Vec<String>,
    /// Seed of every random draw.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// A transient fault picked for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Transient {
    RateLimited,
    ServerError,
    Overloaded,
    Malformed,
    Truncated,
    Hang,
    /// 200 with an error object instead of a completion.
    ErrorBody,
    /// 502 with a proxy's HTML page.
    ProxyPage,
}

/// The seeded source of latency and transient faults.
pub struct Dice {
    rng: ChaCha8Rng,
}

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Latency for the next request, in ms.
    pub fn latency_ms(&mut self, f: &Faults) -> f64 {
        match f.latency_median_ms {
            Some(median) if median > 0.0 => LogNormal::new(median.ln(), f.latency_sigma.max(0.0))
                .map(|d| d.sample(&mut self.rng))
                .unwrap_or(median),
            _ => f.latency_ms as f64,
        }
    }

    /// At most one transient fault for the next request.
    pub fn transient(&mut self, f: &Faults) -> Option<Transient> {
        let x: f64 = self.rng.random();
        let mut edge = 0.0;
        for (p, t) in [
            (f.p_429, Transient::RateLimited),
            (f.p_500, Transient::ServerError),
            (f.p_529, Transient::Overloaded),
            (f.p_malformed, Transient::Malformed),
            (f.p_truncated, Transient::Truncated),
            (f.p_hang, Transient::Hang),
            (f.p_error_body, Transient::ErrorBody),
            (f.p_proxy_page, Transient::ProxyPage),
        ] {
            edge += p;
            if x < edge {
                return Some(t);
            }
        }
        None
    }
}

/// A deterministic draw in [0, 1) from content and seed: the same prompt always gets the same fate.
pub fn content_draw(seed: u64, salt: &str, content: &str) -> f64 {
    let z = mix(fnv1a(seed, &[salt.as_bytes(), content.as_bytes()]));
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A finalising mix: FNV-1a barely moves its high bits for a change in the last byte (a repeat
/// count), so hashes of neighbouring contents are mixed before their bits are used.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 64-bit FNV-1a, seeded: small, stable across processes and versions.
pub fn fnv1a(seed: u64, parts: &[&[u8]]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for part in parts {
        for b in *part {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
