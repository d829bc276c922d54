//! Validation against OpenAI's published JSON Schemas (copied into `spec/`, MIT-licensed).

use jsonschema::Validator;
use serde_json::Value;

const SPEC: &str = include_str!("../spec/openai-chat-completions.schema.json");

/// Validators for the objects the server receives and sends.
pub struct Schemas {
    pub request: Validator,
    pub response: Validator,
    pub error: Validator,
}

impl Schemas {
    pub fn load() -> Schemas {
        let mut spec: Value = serde_json::from_str(SPEC).expect("the bundled spec is JSON");
        nullable_to_null_type(&mut spec);
        let make = |name: &str| {
            let mut root = spec.clone();
            root["$ref"] = Value::String(format!("#/components/schemas/{name}"));
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .build(&root)
                .unwrap_or_else(|e| panic!("schema {name}: {e}"))
        };
        Schemas {
            request: make("CreateChatCompletionRequest"),
            response: make("CreateChatCompletionResponse"),
            error: make("ErrorResponse"),
        }
    }
}

/// The first problem found, as "path: message", or None if the value is valid.
pub fn first_error(validator: &Validator, value: &Value) -> Option<(String, String)> {
    validator.iter_errors(value).next().map(|e| {
        let path = e.instance_path.to_string();
        (
            path.trim_start_matches('/').replace('/', "."),
            e.to_string(),
        )
    })
}

/// OpenAPI 3.0's `nullable: true` means "or null"; JSON Schema 2020-12 ignores the keyword.
fn nullable_to_null_type(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(t)) = map.get("type").cloned() {
                    map.insert("type".into(), serde_json::json!([t, "null"]));
                }
            }
            map.values_mut().for_each(nullable_to_null_type);
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_to_null_type),
        _ => {}
    }
}
