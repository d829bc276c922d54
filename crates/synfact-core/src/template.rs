//! The fact template: what the user writes once, with the original module's field names.

use serde::{Deserialize, Serialize};

/// One fact and everything needed to plan prompts about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactTemplate {
    pub fact_name: String,
    pub given_fact: String,
    pub specific_information_to_always_include: String,
    pub questions: Vec<String>,
    pub question_requirements: Vec<String>,
}

/// A problem with one field of a template, phrased for the person who wrote it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("The template is not valid JSON: {0}")]
    NotJson(String),
    #[error("The template is missing the field \"{0}\".")]
    MissingField(String),
    #[error("The field \"{field}\" has the wrong type: {detail}")]
    WrongType { field: String, detail: String },
    #[error("\"{0}\" is empty.")]
    Empty(&'static str),
    #[error("\"fact_name\" may only contain letters, digits, '_', '-' and '.' (it names the downloaded files); got \"{0}\".")]
    BadName(String),
    #[error("\"{field}\" item {index} is empty.")]
    EmptyItem { field: &'static str, index: usize },
}

/// The two templates shipped inside the app.
pub const BUILT_IN: [(&str, &str); 2] = [
    (
        "blue_honeyeater",
        include_str!("../templates/blue_honeyeater.template.json"),
    ),
    (
        "pandas_habitat",
        include_str!("../templates/pandas_habitat.template.json"),
    ),
];

const FIELDS: [&str; 5] = [
    "fact_name",
    "given_fact",
    "specific_information_to_always_include",
    "questions",
    "question_requirements",
];

impl FactTemplate {
    /// Parses and validates a template, reporting the first broken field by name.
    pub fn from_json(text: &str) -> Result<Self, Vec<TemplateError>> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| vec![TemplateError::NotJson(e.to_string())])?;
        let Some(object) = value.as_object() else {
            return Err(vec![TemplateError::NotJson(
                "expected an object with the fields fact_name, given_fact, ...".into(),
            )]);
        };
        let mut errors = Vec::new();
        for field in FIELDS {
            match object.get(field) {
                None => errors.push(TemplateError::MissingField(field.into())),
                Some(v) => {
                    let list = field == "questions" || field == "question_requirements";
                    let ok = if list {
                        v.as_array()
                            .is_some_and(|a| a.iter().all(|x| x.is_string()))
                    } else {
                        v.is_string()
                    };
                    if !ok {
                        let expected = if list {
                            "a list of strings"
                        } else {
                            "a string"
                        };
                        errors.push(TemplateError::WrongType {
                            field: field.into(),
                            detail: format!("expected {expected}"),
                        });
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let template: FactTemplate = serde_json::from_value(value)
            .map_err(|e| vec![TemplateError::NotJson(e.to_string())])?;
        template.validate().map(|()| template)
    }

    /// Checks the contents: every error found, each naming its field.
    pub fn validate(&self) -> Result<(), Vec<TemplateError>> {
        let mut errors = Vec::new();
        if self.fact_name.trim().is_empty() {
            errors.push(TemplateError::Empty("fact_name"));
        } else if !self
            .fact_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            errors.push(TemplateError::BadName(self.fact_name.clone()));
        }
        if self.given_fact.trim().is_empty() {
            errors.push(TemplateError::Empty("given_fact"));
        }
        if self
            .specific_information_to_always_include
            .trim()
            .is_empty()
        {
            errors.push(TemplateError::Empty(
                "specific_information_to_always_include",
            ));
        }
        for (field, list) in [
            ("questions", &self.questions),
            ("question_requirements", &self.question_requirements),
        ] {
            if list.is_empty() {
                errors.push(TemplateError::Empty(field));
            }
            for (i, item) in list.iter().enumerate() {
                if item.trim().is_empty() {
                    errors.push(TemplateError::EmptyItem {
                        field,
                        index: i + 1,
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The built-in template with this name.
    pub fn built_in(name: &str) -> Option<Self> {
        BUILT_IN
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, json)| Self::from_json(json).ok())
    }

    /// Pretty JSON, as a user would save or share it.
    pub fn to_pretty_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a template always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_ins_parse_and_validate() {
        for (name, _) in BUILT_IN {
            let t = FactTemplate::built_in(name).expect(name);
            assert_eq!(t.fact_name, name);
            assert_eq!(t.question_requirements.len(), 20);
        }
        assert_eq!(
            FactTemplate::built_in("blue_honeyeater")
                .unwrap()
                .questions
                .len(),
            10
        );
    }

    fn check(json: &str, expected: &[&str]) {
        let errors = FactTemplate::from_json(json).unwrap_err();
        let got: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn errors_name_the_field() {
        check(
            "{",
            &["The template is not valid JSON: EOF while parsing an object at line 1 column 1"],
        );
        check(
            r#"{"fact_name":"x","given_fact":"f","questions":["q"],"question_requirements":["r"]}"#,
            &["The template is missing the field \"specific_information_to_always_include\"."],
        );
        check(
            r#"{"fact_name":"x","given_fact":"f","specific_information_to_always_include":"k","questions":"q","question_requirements":["r"]}"#,
            &["The field \"questions\" has the wrong type: expected a list of strings"],
        );
        check(
            r#"{"fact_name":"a b","given_fact":" ","specific_information_to_always_include":"k","questions":[],"question_requirements":["r",""]}"#,
            &[
                "\"fact_name\" may only contain letters, digits, '_', '-' and '.' (it names the downloaded files); got \"a b\".",
                "\"given_fact\" is empty.",
                "\"questions\" is empty.",
                "\"question_requirements\" item 2 is empty.",
            ],
        );
    }

    #[test]
    fn round_trips_through_json() {
        let t = FactTemplate::built_in("pandas_habitat").unwrap();
        assert_eq!(FactTemplate::from_json(&t.to_pretty_json()).unwrap(), t);
    }
}
