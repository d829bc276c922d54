//! What a reviewer can do to an item, as plain data, and how it changes the item. The engine
//! applies these (`Event::Review`) so a decision is saved like any other change of an item.

use crate::run::{Item, ReviewDecision};

/// One reviewer action on an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewAction {
    /// Keep the item in the dataset whatever the judge said.
    Accept,
    /// Leave the item out of the dataset whatever the judge said.
    Reject,
    /// Go back to the judge's decision.
    Undecide,
    /// New texts for the question and the answer. A text equal to the model's own clears the edit,
    /// so the original is always what an edit is measured against.
    Edit {
        question: String,
        answer: String,
    },
    /// Drop the edits and keep the model's texts.
    Revert,
    /// Leave the item out of the dataset and out of the list's default views.
    Delete,
    Restore,
    /// Ask the judge about the item's (final) answer again, with a fresh sample.
    JudgeAgain,
}

/// Why an action was not applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReviewRefusal {
    #[error("no answer")]
    NoAnswer,
    #[error("empty text")]
    EmptyText,
    #[error("busy")]
    Busy,
}

/// Whether `action` can be applied to `item` now.
pub fn check(item: &Item, action: &ReviewAction) -> Result<(), ReviewRefusal> {
    match action {
        ReviewAction::Accept | ReviewAction::JudgeAgain
            if item.final_answer().is_none() || item.final_question().is_none() =>
        {
            Err(ReviewRefusal::NoAnswer)
        }
        ReviewAction::Edit { question, answer }
            if question.trim().is_empty() || answer.trim().is_empty() =>
        {
            Err(ReviewRefusal::EmptyText)
        }
        _ if !item.stage.is_terminal() => Err(ReviewRefusal::Busy),
        _ => Ok(()),
    }
}

/// Applies a checked action (all but `JudgeAgain`, which the engine runs) to the item.
/// Returns whether the item changed.
pub fn apply(item: &mut Item, action: &ReviewAction) -> bool {
    let before = item.review.clone();
    let r = &mut item.review;
    match action {
        ReviewAction::Accept => r.decision = Some(ReviewDecision::Accept),
        ReviewAction::Reject => r.decision = Some(ReviewDecision::Reject),
        ReviewAction::Undecide => r.decision = None,
        ReviewAction::Edit { question, answer } => {
            r.question =
                (item.question.as_deref() != Some(question.as_str())).then(|| question.clone());
            r.answer = (item.answer.as_deref() != Some(answer.as_str())).then(|| answer.clone());
        }
        ReviewAction::Revert => {
            r.question = None;
            r.answer = None;
        }
        ReviewAction::Delete => r.deleted = true,
        ReviewAction::Restore => r.deleted = false,
        ReviewAction::JudgeAgain => {}
    }
    item.review != before
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::reason::Reason;
    use crate::run::{Counts, Stage};
    use crate::template::plan::PlannedPrompt;

    fn done(stage: Stage) -> Item {
        let mut i = Item::new(
            0,
            0,
            PlannedPrompt {
                question: 0,
                setting: 0,
                requirement: 0,
            },
            None,
        );
        i.stage = stage;
        i.question = Some("Where do pandas live?".into());
        i.answer = Some("In bamboo forests.".into());
        if stage == Stage::Rejected {
            i.reason = Some(Reason::CutOff);
        }
        i
    }

    #[test]
    fn a_reviewer_overrides_the_judge_both_ways() {
        let mut rejected = done(Stage::Rejected);
        assert!(!rejected.is_kept());
        assert!(apply(&mut rejected, &ReviewAction::Accept));
        assert!(rejected.is_kept());
        assert!(apply(&mut rejected, &ReviewAction::Undecide));
        assert!(!rejected.is_kept());
        let mut accepted = done(Stage::Accepted);
        assert!(apply(&mut accepted, &ReviewAction::Reject));
        assert!(!accepted.is_kept());
        assert!(
            !apply(&mut accepted, &ReviewAction::Reject),
            "no change twice"
        );
    }

    #[test]
    fn an_edit_keeps_the_original_and_an_edit_back_clears_it() {
        let mut i = done(Stage::Accepted);
        let edit = ReviewAction::Edit {
            question: "Where do pandas live?".into(),
            answer: "In the mountains of central China.".into(),
        };
        check(&i, &edit).unwrap();
        assert!(apply(&mut i, &edit));
        assert_eq!(i.final_answer(), Some("In the mountains of central China."));
        assert_eq!(i.answer.as_deref(), Some("In bamboo forests."));
        assert_eq!(
            i.review.question, None,
            "an unchanged question is not an edit"
        );
        assert!(i.review.is_edited());
        apply(
            &mut i,
            &ReviewAction::Edit {
                question: "Where do pandas live?".into(),
                answer: "In bamboo forests.".into(),
            },
        );
        assert!(!i.review.is_edited());
    }

    #[test]
    fn deleted_items_leave_the_dataset_until_restored() {
        let mut i = done(Stage::Accepted);
        apply(&mut i, &ReviewAction::Delete);
        assert!(!i.is_kept());
        apply(&mut i, &ReviewAction::Restore);
        assert!(i.is_kept());
    }

    #[test]
    fn refusals_name_what_is_wrong() {
        let mut open = done(Stage::Answer);
        assert_eq!(
            check(&open, &ReviewAction::Reject),
            Err(ReviewRefusal::Busy)
        );
        open.answer = None;
        open.stage = Stage::Failed;
        assert_eq!(
            check(&open, &ReviewAction::Accept),
            Err(ReviewRefusal::NoAnswer)
        );
        assert_eq!(check(&open, &ReviewAction::Reject), Ok(()));
        let i = done(Stage::Accepted);
        let blank = ReviewAction::Edit {
            question: "q".into(),
            answer: "  ".into(),
        };
        assert_eq!(check(&i, &blank), Err(ReviewRefusal::EmptyText));
    }

    #[test]
    fn counts_follow_review_state() {
        let mut a = done(Stage::Accepted);
        let r = done(Stage::Rejected);
        apply(&mut a, &ReviewAction::Delete);
        let c = Counts::of([&a, &r]);
        assert_eq!(
            (c.total(), c.accepted, c.rejected, c.kept, c.deleted),
            (2, 1, 1, 0, 1)
        );
    }
}
