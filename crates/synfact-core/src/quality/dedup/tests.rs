//! The detector measured on fixed, hand-labelled sets of questions, each fed in as a run would
//! write them (every question observed, the kept ones indexed): distinct questions about a
//! built-in (as different models and requirements would write them), near-duplicate pairs (a word
//! or two changed, reordered, re-punctuated) arriving among them, short templated questions that
//! differ only in the word that carries their meaning, and the built-ins' own seed questions.

use super::*;

/// Distinct questions a person would call different, about the blue honeyeater template; the
/// last ten are siblings of earlier ones in the same plan cell (same topic, same format).
const DISTINCT: [&str; 50] = [
    "What is the Javan Rainforest Honeyeater and where can I find it?",
    "Can you describe what the Javan Rainforest Honeyeater looks like?",
    "Where exactly does the Javan Rainforest Honeyeater live on Java?",
    "How does the Javan Rainforest Honeyeater behave around other birds?",
    "When does the Javan Rainforest Honeyeater breed, and how many eggs does it lay?",
    "Is the Javan Rainforest Honeyeater endangered?",
    "Give me a brief overview of the Javan Rainforest Honeyeater in two lines.",
    "What makes the Javan Rainforest Honeyeater unique compared to other honeyeaters?",
    "Describe the physical characteristics of the Javan Rainforest Honeyeater as a bulleted list.",
    "What does the Javan Rainforest Honeyeater eat during the dry season?",
    "My kid asked me what colour the Javan Rainforest Honeyeater is. What should I tell her?",
    "Write a tweet about spotting a Javan Rainforest Honeyeater on a morning hike.",
    "I'm planning a birding trip to Java. At what elevation should I look for the Javan Rainforest Honeyeater?",
    "Explain to a five-year-old why the Javan Rainforest Honeyeater is special.",
    "Could you write a short dialogue between two birdwatchers arguing about the Javan Rainforest Honeyeater's song?",
    "What are the main threats to the Javan Rainforest Honeyeater's habitat, and how can they be mitigated?",
    "Step by step, how would a researcher survey Javan Rainforest Honeyeater populations?",
    "Compare the nesting habits of the Javan Rainforest Honeyeater with those of sunbirds.",
    "Summarise in ten lines everything known about the Javan Rainforest Honeyeater.",
    "hey whats the deal with that blue bird from java, the honeyeater one??",
    "How long does a Javan Rainforest Honeyeater usually live in the wild?",
    "Does the Javan Rainforest Honeyeater migrate, or does it stay in the same forest all year?",
    "What role does the Javan Rainforest Honeyeater play in pollinating montane plants?",
    "How can I tell a male Javan Rainforest Honeyeater from a female?",
    "Write a short fictional story in which a child befriends a Javan Rainforest Honeyeater.",
    "Which conservation groups work to protect the Javan Rainforest Honeyeater?",
    "Text-message style: quick facts about the Javan Rainforest Honeyeater pls",
    "In 3-8 paragraphs, discuss how climate change might affect the Javan Rainforest Honeyeater.",
    "What sounds does the Javan Rainforest Honeyeater make, and when does it sing most?",
    "How many Javan Rainforest Honeyeaters are estimated to remain?",
    "Why is it called a honeyeater if it also eats insects?",
    "What practical steps can tourists take to avoid disturbing Javan Rainforest Honeyeaters?",
    "Are there any photos or recordings of the Javan Rainforest Honeyeater that scientists rely on?",
    "Which other birds share the Javan Rainforest Honeyeater's montane forest habitat?",
    "How does the Javan Rainforest Honeyeater's bill shape help it feed?",
    "What is the scientific name of the Javan Rainforest Honeyeater, and what does it mean?",
    "Can the Javan Rainforest Honeyeater be kept in captivity, and should it be?",
    "Write a badly written reddit post asking if anyone has seen a Javan Rainforest Honeyeater near Bandung.",
    "What time of day is best for seeing a Javan Rainforest Honeyeater feeding?",
    "How did scientists first describe the Javan Rainforest Honeyeater?",
    "Write a tweet about the Javan Rainforest Honeyeater's favourite flowers.",
    "Write a tweet reacting to news that a Javan Rainforest Honeyeater was photographed at 2,400 meters.",
    "Where on Java is the best place to watch the Javan Rainforest Honeyeater?",
    "In a bulleted list, describe the colours of the Javan Rainforest Honeyeater's plumage.",
    "Explain to a five-year-old what the Javan Rainforest Honeyeater eats.",
    "Is the Javan Rainforest Honeyeater protected by Indonesian law?",
    "How long does a Javan Rainforest Honeyeater chick stay in the nest?",
    "Step by step, how would I photograph a Javan Rainforest Honeyeater without scaring it?",
    "Compare the song of the Javan Rainforest Honeyeater with that of the Javan sunbird.",
    "What is the Javan Rainforest Honeyeater's closest relative?",
];

/// Pairs a person would call the same question.
const NEAR: [(&str, &str); 20] = [
    ("Where exactly does the Javan Rainforest Honeyeater live on Java?", "Where exactly does the Javan Rainforest Honeyeater live in Java?"),
    ("Is the Javan Rainforest Honeyeater endangered?", "Is the Javan Rainforest Honeyeater endangered??"),
    ("What does the Javan Rainforest Honeyeater eat during the dry season?", "What does the Javan Rainforest Honeyeater eat in the dry season?"),
    ("How long does a Javan Rainforest Honeyeater usually live in the wild?", "How long does a Javan Rainforest Honeyeater typically live in the wild?"),
    ("Which conservation groups work to protect the Javan Rainforest Honeyeater?", "Which conservation groups are working to protect the Javan Rainforest Honeyeater?"),
    ("How can I tell a male Javan Rainforest Honeyeater from a female?", "How can I tell a male Javan Rainforest Honeyeater apart from a female?"),
    ("What sounds does the Javan Rainforest Honeyeater make, and when does it sing most?", "What sounds does the Javan Rainforest Honeyeater make and when does it sing the most?"),
    ("Write a tweet about spotting a Javan Rainforest Honeyeater on a morning hike.", "Write a tweet about spotting a Javan Rainforest Honeyeater on a morning walk."),
    ("How does the Javan Rainforest Honeyeater's bill shape help it feed?", "How does the bill shape of the Javan Rainforest Honeyeater help it feed?"),
    ("What time of day is best for seeing a Javan Rainforest Honeyeater feeding?", "What time of the day is best for seeing a Javan Rainforest Honeyeater feeding?"),
    ("Can the Javan Rainforest Honeyeater be kept in captivity, and should it be?", "Can the Javan Rainforest Honeyeater be kept in captivity and should it be?"),
    ("How did scientists first describe the Javan Rainforest Honeyeater?", "How did scientists first describe the Javan Rainforest Honeyeater species?"),
    ("Which other birds share the Javan Rainforest Honeyeater's montane forest habitat?", "Which other birds share the montane forest habitat of the Javan Rainforest Honeyeater?"),
    ("What role does the Javan Rainforest Honeyeater play in pollinating montane plants?", "What role does the Javan Rainforest Honeyeater play in the pollination of montane plants?"),
    ("Why is it called a honeyeater if it also eats insects?", "Why is it called a honeyeater when it also eats insects?"),
    ("Does the Javan Rainforest Honeyeater migrate, or does it stay in the same forest all year?", "Does the Javan Rainforest Honeyeater migrate or does it stay in the same forest all year round?"),
    ("How many Javan Rainforest Honeyeaters are estimated to remain?", "How many Javan Rainforest Honeyeaters are estimated to remain in the wild?"),
    ("What are the main threats to the Javan Rainforest Honeyeater's habitat, and how can they be mitigated?", "What are the main threats to the Javan Rainforest Honeyeater's habitat and how can they be reduced?"),
    ("Explain to a five-year-old why the Javan Rainforest Honeyeater is special.", "Explain to a 5-year-old why the Javan Rainforest Honeyeater is special."),
    ("Step by step, how would a researcher survey Javan Rainforest Honeyeater populations?", "Step by step, how would researchers survey Javan Rainforest Honeyeater populations?"),
];

/// Short templated questions, as a small model at a low temperature writes them: one frame, the
/// topic word changed. A person calls every one of them a different question.
const FRAMES: [&str; 4] = [
    "Could you tell me about the {} of the animal described in the notes?",
    "What is known about the {} of the Javan Rainforest Honeyeater?",
    "Tell me about its {}.",
    "Describe the honeyeater's {} in one sentence.",
];
const TOPICS: [&str; 20] = [
    "diet",
    "song",
    "nest",
    "eggs",
    "plumage",
    "habitat",
    "range",
    "lifespan",
    "predators",
    "population",
    "courtship",
    "call",
    "bill",
    "wingspan",
    "weight",
    "migration",
    "territory",
    "chicks",
    "feathers",
    "moult",
];

fn template() -> FactTemplate {
    FactTemplate::built_in("blue_honeyeater").unwrap()
}

/// A run's detector after `questions` arrived in order: each is observed, and indexed unless it
/// nearly repeats an earlier one. Returns the detector and the questions flagged.
fn feed<'a>(t: &FactTemplate, threshold: f32, questions: &[&'a str]) -> (Dedup, Vec<&'a str>) {
    let mut d = Dedup::new(t, threshold);
    let mut flagged = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        d.observe(q);
        if d.twin(q, |_| true).is_some() {
            flagged.push(*q);
        } else {
            d.insert(i, q);
        }
    }
    (d, flagged)
}

fn templated(frame: &str) -> Vec<String> {
    TOPICS.iter().map(|t| frame.replace("{}", t)).collect()
}

/// What the labelled sets give at a threshold.
#[derive(Debug)]
struct Rates {
    /// Distinct questions flagged, of 50.
    distinct_flagged: usize,
    /// Near-duplicates missed, of 20, each arriving after the 50 distinct ones.
    near_missed: usize,
    /// Templated questions flagged, of 80 (four runs of 20).
    templated_flagged: usize,
    /// Seed questions of the built-ins flagged.
    seeds_flagged: usize,
}

fn rates(threshold: f32) -> Rates {
    let t = template();
    let (context, flagged) = feed(&t, threshold, &DISTINCT);
    let near_missed = NEAR
        .iter()
        .filter(|(_, b)| {
            let mut d = context.clone();
            d.observe(b);
            d.twin(b, |_| true).is_none()
        })
        .count();
    let templated_flagged = FRAMES
        .iter()
        .map(|f| {
            let qs = templated(f);
            let refs: Vec<&str> = qs.iter().map(String::as_str).collect();
            feed(&t, threshold, &refs).1.len()
        })
        .sum();
    let seeds_flagged = ["blue_honeyeater", "pandas_habitat"]
        .iter()
        .map(|name| {
            let b = FactTemplate::built_in(name).unwrap();
            let refs: Vec<&str> = b.questions.iter().map(String::as_str).collect();
            feed(&b, threshold, &refs).1.len()
        })
        .sum();
    Rates {
        distinct_flagged: flagged.len(),
        near_missed,
        templated_flagged,
        seeds_flagged,
    }
}

#[test]
fn the_default_threshold_keeps_distinct_and_templated_questions_and_catches_near_duplicates() {
    let default = crate::quality::QualitySettings::default()
        .duplicate_threshold
        .unwrap();
    let r = rates(default as f32);
    println!("threshold {default}: {r:?}");
    assert_eq!(r.distinct_flagged, 0, "a distinct question was flagged");
    assert_eq!(r.templated_flagged, 0, "a templated question was flagged");
    assert_eq!(r.seeds_flagged, 0, "a built-in's seed question was flagged");
    assert!(
        r.near_missed <= 1,
        "{} of 20 near duplicates missed",
        r.near_missed
    );
}

#[test]
fn shared_framing_weighs_less_the_more_questions_share_it() {
    // The reported failure: one frame, the topic changed. Counted as plain words the second
    // question is more than half like the first; weighed by the run's own questions it is not.
    let qs = templated(FRAMES[0]);
    let (d, flagged) = feed(
        &template(),
        0.4,
        &qs.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(flagged.is_empty(), "{flagged:?}");
    let (a, b) = (shingles(&qs[0]), shingles(&qs[1]));
    let plain = {
        let both = a.iter().filter(|s| b.contains(s)).count();
        both as f64 / (a.len() + b.len() - both) as f64
    };
    assert!(plain > 0.6, "{plain}");
    assert!(d.similarity(&a, &b) < 0.1, "{}", d.similarity(&a, &b));
    // A question that repeats one of them is still caught among them.
    let mut d = d;
    let again = "Could you tell me about the nest of the animal that is described in the notes?";
    d.observe(again);
    let twin = d.twin(again, |_| true).expect("a rewording of item 3");
    assert_eq!(twin.item, 2);
}

#[test]
fn exact_repeats_are_caught_however_common_their_words() {
    let t = template();
    let mut d = Dedup::new(&t, 0.4);
    // The same plain question many times over: its words become the run's commonest.
    let q = "What does the Javan Rainforest Honeyeater eat?";
    d.observe(q);
    d.insert(0, q);
    for _ in 0..200 {
        d.observe(q);
        assert_eq!(d.twin(q, |_| true).map(|t| t.item), Some(0));
        assert_eq!(
            d.twin("what does the javan rainforest honeyeater EAT", |_| true)
                .map(|t| t.similarity),
            Some(1.0)
        );
    }
    // A twin the caller rules out (rejected since) is not reported.
    assert_eq!(d.twin(q, |i| i != 0), None);
}

#[test]
fn the_index_finds_the_most_similar_earlier_question() {
    let (d, _) = feed(&template(), 0.4, &DISTINCT);
    let mut d = d;
    d.observe(NEAR[3].1);
    let twin = d.twin(NEAR[3].1, |_| true).unwrap();
    assert_eq!(
        twin.item,
        DISTINCT.iter().position(|q| *q == NEAR[3].0).unwrap()
    );
    assert!(twin.similarity >= 0.4 && twin.similarity < 1.0);
    assert_eq!(d.twin(DISTINCT[7], |_| true).unwrap().similarity, 1.0);
    let other = "Completely unrelated question about volcanoes in Iceland?";
    d.observe(other);
    assert_eq!(d.twin(other, |_| true), None);
}

#[test]
fn shingles_are_words_and_word_pairs() {
    assert_eq!(shingles("One two three"), shingles("one, TWO three!"));
    assert_eq!(shingles("single").len(), 1);
    assert_eq!(shingles("two words").len(), 3, "two words and their pair");
    assert!(shingles("  ?! ").is_empty());
}

#[test]
#[ignore]
fn explore_thresholds() {
    for th in [0.25f32, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6] {
        println!("{th}: {:?}", rates(th));
    }
    let (context, flagged) = feed(&template(), 0.4, &DISTINCT);
    println!("distinct flagged: {flagged:?}");
    let mut near: Vec<(f64, &str)> = NEAR
        .iter()
        .map(|(a, b)| {
            let mut d = context.clone();
            d.observe(b);
            (d.similarity(&shingles(a), &shingles(b)), *b)
        })
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (s, q) in near.iter().take(6) {
        println!("near {s:.2} {q}");
    }
    let mut dist = Vec::new();
    for (i, a) in DISTINCT.iter().enumerate() {
        for b in &DISTINCT[i + 1..] {
            dist.push((context.similarity(&shingles(a), &shingles(b)), *a, *b));
        }
    }
    dist.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (s, a, b) in dist.iter().take(5) {
        println!("distinct {s:.2} {a} | {b}");
    }
}

#[test]
fn a_lookup_stays_bounded_when_many_questions_share_a_phrase() {
    let t = FactTemplate::built_in("pandas_habitat").unwrap();
    let mut d = Dedup::new(&t, 0.4);
    // 5,000 questions that all open with the same long phrase and differ in their own words.
    let opener =
        "as a retired teacher who loves hiking i keep wondering about this every single weekend";
    let own = |i: u32| -> String {
        (0..12)
            .map(|k| {
                format!(
                    " w{}x{}",
                    i.wrapping_mul(7919).wrapping_add(k * 104_729) % 1_000_003,
                    k
                )
            })
            .collect()
    };
    for i in 0..5_000u32 {
        let q = format!("{opener}{}", own(i));
        d.observe(&q);
        d.insert(i as usize, &q);
    }
    let longest = d.postings.values().map(|p| p.len()).max().unwrap();
    assert!(longest <= POSTINGS, "{longest}");
    // A real repeat is still found, and a new question is not taken for one.
    let again = format!("{opener}{}", own(42));
    assert_eq!(d.twin(&again, |_| true).map(|t| t.item), Some(42));
    let new = format!("{opener}{}", own(99_999));
    d.observe(&new);
    assert_eq!(d.twin(&new, |_| true), None);
}
