//! The Start a fine-tune form: where the job goes (OpenAI's fine-tuning API or a server with the
//! same routes), the base model, a suffix for the new model's name and the epochs.

use super::fields::{Field, FieldError, Reader};
use crate::eval::fine_tune::JobSpec;
use crate::provider::endpoint::BaseUrl;
use serde::{Deserialize, Serialize};

/// The form as typed. Saved in the browser (the key only when the user opts in).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FineTuneForm {
    pub base_url: String,
    pub api_key: String,
    pub model: String,
    pub suffix: String,
    /// Empty: the provider chooses.
    pub epochs: String,
}

impl Default for FineTuneForm {
    fn default() -> Self {
        FineTuneForm {
            base_url: "https://api.openai.com/v1".into(),
            api_key: String::new(),
            model: "gpt-4o-mini-2024-07-18".into(),
            suffix: String::new(),
            epochs: String::new(),
        }
    }
}

impl FineTuneForm {
    /// Every problem at once.
    pub fn check(&self) -> Vec<FieldError> {
        let mut r = Reader { errors: Vec::new() };
        self.read(&mut r);
        r.errors
    }

    fn read(&self, r: &mut Reader) -> Option<(BaseUrl, JobSpec)> {
        let url = r.url(Field::FtBaseUrl, &self.base_url);
        r.key(Field::FtApiKey, &self.api_key, true);
        r.required(Field::FtModel, &self.model);
        if self.suffix.trim().chars().count() > 64 {
            r.fail(
                Field::FtSuffix,
                super::fields::Problem::OutOfRange {
                    min: "0",
                    max: "64 characters",
                },
            );
        }
        let epochs = if self.epochs.trim().is_empty() {
            None
        } else {
            r.number(
                Field::FtEpochs,
                &self.epochs,
                (1.0, 50.0),
                true,
                ("1", "50"),
            )
            .map(|v| v as u32)
        };
        Some((
            url?,
            JobSpec {
                model: self.model.trim().to_string(),
                suffix: self.suffix.trim().to_string(),
                epochs,
            },
        ))
    }

    /// Where the job goes, its key and what it is made from; or every problem.
    pub fn prepare(&self) -> Result<(BaseUrl, String, JobSpec), Vec<FieldError>> {
        let mut r = Reader { errors: Vec::new() };
        match self.read(&mut r) {
            Some((url, spec)) if r.errors.is_empty() => {
                Ok((url, self.api_key.trim().to_string(), spec))
            }
            _ => Err(r.errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::fields::Problem;

    #[test]
    fn the_form_gives_the_job_or_names_every_problem() {
        let f = FineTuneForm {
            api_key: "sk-test-123".into(),
            suffix: "honeyeater".into(),
            epochs: "3".into(),
            ..FineTuneForm::default()
        };
        let (url, key, spec) = f.prepare().unwrap();
        assert_eq!(url.as_str(), "https://api.openai.com/v1");
        assert_eq!(key, "sk-test-123");
        assert_eq!(
            spec,
            JobSpec {
                model: "gpt-4o-mini-2024-07-18".into(),
                suffix: "honeyeater".into(),
                epochs: Some(3)
            }
        );
        let auto = FineTuneForm {
            epochs: " ".into(),
            ..f.clone()
        };
        assert_eq!(auto.prepare().unwrap().2.epochs, None);
        let bad = FineTuneForm {
            base_url: "api.openai.com".into(),
            api_key: String::new(),
            model: " ".into(),
            suffix: "x".repeat(65),
            epochs: "2.5".into(),
        };
        let fields: Vec<Field> = bad.prepare().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                Field::FtBaseUrl,
                Field::FtApiKey,
                Field::FtModel,
                Field::FtSuffix,
                Field::FtEpochs
            ]
        );
        assert!(bad
            .check()
            .iter()
            .any(|e| e.field == Field::FtApiKey && e.problem == Problem::KeyNeeded));
    }
}
