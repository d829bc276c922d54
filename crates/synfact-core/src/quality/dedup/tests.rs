//! The detector measured on fixed, hand-labelled sets of questions about a built-in template:
//! distinct questions (as different models and requirements would write them, all sharing the
//! template's wording) and near-duplicate pairs (a word or two changed, reordered, re-punctuated).

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

fn template() -> FactTemplate {
    FactTemplate::built_in("blue_honeyeater").unwrap()
}

/// (false positives among distinct pairs, false negatives among near pairs).
fn rates(threshold: f32) -> (f32, f32) {
    let t = template();
    let mut flagged = 0;
    let mut pairs = 0;
    for (i, a) in DISTINCT.iter().enumerate() {
        let mut d = Dedup::new(&t, threshold);
        d.insert(i, a);
        for b in &DISTINCT[i + 1..] {
            pairs += 1;
            if d.twin(b).is_some() {
                flagged += 1;
            }
        }
    }
    let missed = NEAR
        .iter()
        .filter(|(a, b)| {
            let mut d = Dedup::new(&t, threshold);
            d.insert(0, a);
            d.twin(b).is_none()
        })
        .count();
    (
        flagged as f32 / pairs as f32,
        missed as f32 / NEAR.len() as f32,
    )
}

#[test]
fn the_default_threshold_flags_no_distinct_pair_and_most_near_duplicates() {
    let default = crate::quality::QualitySettings::default()
        .duplicate_threshold
        .unwrap();
    let (fp, fn_) = rates(default as f32);
    println!("threshold {default}: false positives {:.1}% of 1,225 distinct pairs, false negatives {:.0}% of 20 near pairs", fp * 100.0, fn_ * 100.0);
    assert_eq!(fp, 0.0, "a distinct pair was flagged");
    assert!(fn_ <= 0.05, "{:.0}% of near duplicates missed", fn_ * 100.0);
    // The template's own wording is not what makes two questions alike: comparing on all word
    // pairs instead would flag distinct questions that merely name the species.
    let all_words = |a: &str, b: &str| jaccard(&pairs(a), &pairs(b));
    let shared = all_words(DISTINCT[2], DISTINCT[3]);
    assert!(shared > 0.2, "{shared}");
}

#[test]
fn the_index_finds_the_most_similar_earlier_question() {
    let mut d = Dedup::new(&template(), 0.4);
    for (i, q) in DISTINCT.iter().enumerate() {
        assert_eq!(d.twin(q), None, "{q}");
        d.insert(i, q);
    }
    let twin = d.twin(NEAR[3].1).unwrap();
    assert_eq!(
        twin.item,
        DISTINCT.iter().position(|q| *q == NEAR[3].0).unwrap()
    );
    assert!(twin.similarity >= 0.4 && twin.similarity < 1.0);
    assert_eq!(d.twin(DISTINCT[7]).unwrap().similarity, 1.0);
    assert_eq!(
        d.twin("Completely unrelated question about volcanoes in Iceland?"),
        None
    );
}

#[test]
fn exact_jaccard() {
    assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
    assert_eq!(jaccard(&[], &[]), 1.0);
    assert_eq!(jaccard(&[1], &[2]), 0.0);
    assert_eq!(pairs("One two three"), pairs("one, TWO three!"));
    assert_eq!(pairs("single").len(), 1);
    assert_eq!(pairs("two words").len(), 3, "two words and their pair");
}

#[test]
#[ignore]
fn explore_thresholds() {
    for th in [0.3f32, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7] {
        let (fp, fn_) = rates(th);
        println!("{th}: fp {:.2}% fn {:.0}%", fp * 100.0, fn_ * 100.0);
    }
    // the worst near pairs and best distinct pairs
    let t = template();
    let d = Dedup::new(&t, 0.0);
    let mut near: Vec<(f32, &str)> = NEAR
        .iter()
        .map(|(a, b)| (jaccard(&d.own(a), &d.own(b)), *b))
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (s, q) in near.iter().take(6) {
        println!("near {s:.2} {q}");
    }
    let mut dist = Vec::new();
    for (i, a) in DISTINCT.iter().enumerate() {
        for b in &DISTINCT[i + 1..] {
            dist.push((jaccard(&d.own(a), &d.own(b)), *a, *b));
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
    for i in 0..5_000u32 {
        let own: String = (0..12)
            .map(|k| {
                format!(
                    " w{}x{}",
                    i.wrapping_mul(7919).wrapping_add(k * 104_729) % 1_000_003,
                    k
                )
            })
            .collect();
        d.insert(i as usize, &format!("{opener}{own}"));
    }
    let longest = d
        .bands
        .iter()
        .flat_map(|b| b.values())
        .map(Vec::len)
        .max()
        .unwrap();
    assert!(longest <= BUCKET, "{longest}");
    // A real repeat is still found.
    let again: String = (0..12)
        .map(|k| {
            format!(
                " w{}x{}",
                42u32.wrapping_mul(7919).wrapping_add(k * 104_729) % 1_000_003,
                k
            )
        })
        .collect();
    assert_eq!(
        d.twin(&format!("{opener}{again}")).map(|t| t.item),
        Some(42)
    );
}
