//! Reading a response body as a JSON object, with the parser the platform already has: the
//! browser's own `JSON.parse` in the WebAssembly (no second JSON stack shipped, to keep the WebAssembly small) and
//! miniserde natively, where the taxonomy's tests, property tests and fuzzer run.
//!
//! Both give the same small API: a top-level object and the few lookups the contract needs.
//! Hostile bodies (deep nesting, huge numbers, bad UTF-8) are just "not the promised shape":
//! neither parser recurses on the Rust stack, and nothing here walks more than the fields
//! asked for. `tests/cases/bodies.rs` holds edge bodies both must read alike. Two differences
//! are inherent and left alone: a number beyond any double (`1e400`) makes miniserde reject the
//! document while `JSON.parse` reads Infinity (then no integer); and integers are exact only up
//! to 2^53 in the browser, so larger ones read as absent there.

/// A parsed document whose top level is an object.
pub(crate) struct Document(imp::Document);

/// A JSON object in a [`Document`].
pub(crate) struct Object<'a>(imp::Object<'a>);

/// Parses `body` (UTF-8) as a JSON object; `None` for anything else.
pub(crate) fn parse_object(body: &[u8]) -> Option<Document> {
    let text = std::str::from_utf8(body).ok()?;
    imp::parse_object(text).map(Document)
}

impl Document {
    /// The top-level object.
    pub fn root(&self) -> Object<'_> {
        Object(self.0.root())
    }
}

impl<'a> Object<'a> {
    /// A string member.
    pub fn str(&self, key: &str) -> Option<String> {
        self.0.str(key)
    }

    /// A non-negative integer member.
    pub fn uint(&self, key: &str) -> Option<u64> {
        self.0.uint(key)
    }

    /// An integer member, as decimal text (ids may be numbers or strings).
    pub fn int_text(&self, key: &str) -> Option<String> {
        self.0.int_text(key)
    }

    /// An object member.
    pub fn object(&self, key: &str) -> Option<Object<'a>> {
        self.0.object(key).map(Object)
    }

    /// The objects in an array member (other items are skipped); empty if there is none.
    pub fn objects(&self, key: &str) -> Vec<Object<'a>> {
        self.0.objects(key).into_iter().map(Object).collect()
    }
}

/// Any parsed JSON document (a backend profile, or an answer read through one).
pub(crate) struct Parsed(imp::Parsed);

/// A value inside a [`Parsed`] document.
#[derive(Clone)]
pub(crate) struct Value<'a>(imp::Node<'a>);

/// Parses `text` as any JSON value; `None` when it is not JSON.
pub(crate) fn parse(text: &str) -> Option<Parsed> {
    imp::parse(text).map(Parsed)
}

impl Parsed {
    /// The whole document.
    pub fn value(&self) -> Value<'_> {
        Value(self.0.value())
    }
}

impl<'a> Value<'a> {
    /// The member `key` of an object (own members only).
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        self.0.get(key).map(Value)
    }

    /// The item `index` of an array.
    pub fn index(&self, index: usize) -> Option<Value<'a>> {
        self.0.index(index).map(Value)
    }

    /// The value an RFC 6901 JSON pointer names (`""` is the value itself); an array step must
    /// be a decimal index.
    pub fn pointer(&self, pointer: &str) -> Option<Value<'a>> {
        if pointer.is_empty() {
            return Some(self.clone());
        }
        let mut at = self.clone();
        for raw in pointer.strip_prefix('/')?.split('/') {
            let step = raw.replace("~1", "/").replace("~0", "~");
            at = match at.get(&step) {
                Some(v) => v,
                None if at.is_array() => {
                    let digits = !step.is_empty() && step.bytes().all(|b| b.is_ascii_digit());
                    at.index(if digits {
                        step.parse().ok()?
                    } else {
                        return None;
                    })?
                }
                None => return None,
            };
        }
        Some(at)
    }

    pub fn as_str(&self) -> Option<String> {
        self.0.as_str()
    }

    pub fn as_bool(&self) -> Option<bool> {
        self.0.as_bool()
    }

    /// A non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        self.0.as_u64()
    }

    /// A string, or an integer as decimal text (ids may be either).
    pub fn id_text(&self) -> Option<String> {
        self.0.as_str().or_else(|| self.0.int_text())
    }

    pub fn is_null(&self) -> bool {
        self.0.is_null()
    }

    pub fn is_array(&self) -> bool {
        self.0.items().is_some()
    }

    /// The items of an array; `None` for anything else.
    pub fn items(&self) -> Option<Vec<Value<'a>>> {
        Some(self.0.items()?.into_iter().map(Value).collect())
    }

    /// The member names of an object (in no promised order); `None` for anything else.
    pub fn keys(&self) -> Option<Vec<String>> {
        self.0.keys()
    }
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::{Array, JSON, Reflect};
    use std::marker::PhantomData;
    use wasm_bindgen::JsValue;

    /// The largest integer a double holds exactly.
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

    pub struct Document(JsValue);

    /// A handle on a JS object; the lifetime only mirrors the native side.
    pub struct Object<'a>(JsValue, PhantomData<&'a ()>);

    fn is_object(v: &JsValue) -> bool {
        v.is_object() && !Array::is_array(v)
    }

    fn object<'a>(v: JsValue) -> Object<'a> {
        Object(v, PhantomData)
    }

    pub struct Parsed(JsValue);

    /// Any JS value from `JSON.parse`; the lifetime only mirrors the native side.
    #[derive(Clone)]
    pub struct Node<'a>(JsValue, PhantomData<&'a ()>);

    pub fn parse(text: &str) -> Option<Parsed> {
        JSON::parse(text).ok().map(Parsed)
    }

    impl Parsed {
        pub fn value(&self) -> Node<'_> {
            Node(self.0.clone(), PhantomData)
        }
    }

    impl<'a> Node<'a> {
        pub fn get(&self, key: &str) -> Option<Node<'a>> {
            if !is_object(&self.0) {
                return None;
            }
            let object: &js_sys::Object = wasm_bindgen::JsCast::unchecked_ref(&self.0);
            let key = JsValue::from_str(key);
            if !js_sys::Object::has_own(object, &key) {
                return None;
            }
            Reflect::get(&self.0, &key)
                .ok()
                .map(|v| Node(v, PhantomData))
        }

        pub fn index(&self, index: usize) -> Option<Node<'a>> {
            let array: &Array = self.array()?;
            let index = u32::try_from(index).ok()?;
            (index < array.length()).then(|| Node(array.get(index), PhantomData))
        }

        fn array(&self) -> Option<&Array> {
            Array::is_array(&self.0).then(|| wasm_bindgen::JsCast::unchecked_ref(&self.0))
        }

        fn integer(&self) -> Option<f64> {
            let n = self.0.as_f64()?;
            (n.fract() == 0.0 && n.abs() <= MAX_SAFE).then_some(n)
        }

        pub fn as_str(&self) -> Option<String> {
            self.0.as_string()
        }

        pub fn as_bool(&self) -> Option<bool> {
            self.0.as_bool()
        }

        pub fn as_u64(&self) -> Option<u64> {
            self.integer().filter(|n| *n >= 0.0).map(|n| n as u64)
        }

        pub fn int_text(&self) -> Option<String> {
            self.integer().map(|n| (n as i64).to_string())
        }

        pub fn is_null(&self) -> bool {
            self.0.is_null()
        }

        pub fn items(&self) -> Option<Vec<Node<'a>>> {
            Some(self.array()?.iter().map(|v| Node(v, PhantomData)).collect())
        }

        pub fn keys(&self) -> Option<Vec<String>> {
            if !is_object(&self.0) {
                return None;
            }
            let object: &js_sys::Object = wasm_bindgen::JsCast::unchecked_ref(&self.0);
            Some(
                js_sys::Object::keys(object)
                    .iter()
                    .filter_map(|k| k.as_string())
                    .collect(),
            )
        }
    }

    pub fn parse_object(text: &str) -> Option<Document> {
        let v = JSON::parse(text).ok()?;
        is_object(&v).then_some(Document(v))
    }

    impl Document {
        pub fn root(&self) -> Object<'_> {
            object(self.0.clone())
        }
    }

    impl<'a> Object<'a> {
        /// An own member (never one inherited from `Object.prototype`).
        fn get(&self, key: &str) -> Option<JsValue> {
            let object: &js_sys::Object = wasm_bindgen::JsCast::unchecked_ref(&self.0);
            let key = JsValue::from_str(key);
            if !js_sys::Object::has_own(object, &key) {
                return None;
            }
            Reflect::get(&self.0, &key).ok()
        }

        fn integer(&self, key: &str) -> Option<f64> {
            let n = self.get(key)?.as_f64()?;
            (n.fract() == 0.0 && n.abs() <= MAX_SAFE).then_some(n)
        }

        pub fn str(&self, key: &str) -> Option<String> {
            self.get(key)?.as_string()
        }

        pub fn uint(&self, key: &str) -> Option<u64> {
            self.integer(key).filter(|n| *n >= 0.0).map(|n| n as u64)
        }

        pub fn int_text(&self, key: &str) -> Option<String> {
            self.integer(key).map(|n| (n as i64).to_string())
        }

        pub fn object(&self, key: &str) -> Option<Object<'a>> {
            self.get(key).filter(is_object).map(object)
        }

        pub fn objects(&self, key: &str) -> Vec<Object<'a>> {
            match self.get(key) {
                Some(v) if Array::is_array(&v) => Array::from(&v)
                    .iter()
                    .filter(is_object)
                    .map(object)
                    .collect(),
                _ => Vec::new(),
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use miniserde::json::{self, Number, Value};

    pub struct Document(json::Object);

    /// Borrowed: nothing is copied, so no deep value is ever walked.
    pub struct Object<'a>(&'a json::Object);

    pub struct Parsed(json::Value);

    /// Borrowed from the [`Parsed`] document.
    #[derive(Clone)]
    pub struct Node<'a>(&'a json::Value);

    pub fn parse(text: &str) -> Option<Parsed> {
        json::from_str::<json::Value>(text).ok().map(Parsed)
    }

    impl Parsed {
        pub fn value(&self) -> Node<'_> {
            Node(&self.0)
        }
    }

    impl<'a> Node<'a> {
        pub fn get(&self, key: &str) -> Option<Node<'a>> {
            match self.0 {
                json::Value::Object(o) => o.get(key).map(Node),
                _ => None,
            }
        }

        pub fn index(&self, index: usize) -> Option<Node<'a>> {
            match self.0 {
                json::Value::Array(a) => a.get(index).map(Node),
                _ => None,
            }
        }

        pub fn as_str(&self) -> Option<String> {
            match self.0 {
                json::Value::String(s) => Some(s.clone()),
                _ => None,
            }
        }

        pub fn as_bool(&self) -> Option<bool> {
            match self.0 {
                json::Value::Bool(b) => Some(*b),
                _ => None,
            }
        }

        pub fn as_u64(&self) -> Option<u64> {
            match self.0 {
                json::Value::Number(Number::U64(n)) => Some(*n),
                _ => None,
            }
        }

        pub fn int_text(&self) -> Option<String> {
            match self.0 {
                json::Value::Number(Number::U64(n)) => Some(n.to_string()),
                json::Value::Number(Number::I64(n)) => Some(n.to_string()),
                _ => None,
            }
        }

        pub fn is_null(&self) -> bool {
            matches!(self.0, json::Value::Null)
        }

        pub fn items(&self) -> Option<Vec<Node<'a>>> {
            match self.0 {
                json::Value::Array(a) => Some(a.iter().map(Node).collect()),
                _ => None,
            }
        }

        pub fn keys(&self) -> Option<Vec<String>> {
            match self.0 {
                json::Value::Object(o) => Some(o.keys().cloned().collect()),
                _ => None,
            }
        }
    }

    pub fn parse_object(text: &str) -> Option<Document> {
        match json::from_str::<Value>(text).ok()? {
            Value::Object(o) => Some(Document(o)),
            _ => None,
        }
    }

    impl Document {
        pub fn root(&self) -> Object<'_> {
            Object(&self.0)
        }
    }

    impl<'a> Object<'a> {
        pub fn str(&self, key: &str) -> Option<String> {
            match self.0.get(key)? {
                Value::String(s) => Some(s.clone()),
                _ => None,
            }
        }

        pub fn uint(&self, key: &str) -> Option<u64> {
            match self.0.get(key)? {
                Value::Number(Number::U64(n)) => Some(*n),
                _ => None,
            }
        }

        pub fn int_text(&self, key: &str) -> Option<String> {
            match self.0.get(key)? {
                Value::Number(Number::U64(n)) => Some(n.to_string()),
                Value::Number(Number::I64(n)) => Some(n.to_string()),
                _ => None,
            }
        }

        pub fn object(&self, key: &str) -> Option<Object<'a>> {
            match self.0.get(key)? {
                Value::Object(o) => Some(Object(o)),
                _ => None,
            }
        }

        pub fn objects(&self, key: &str) -> Vec<Object<'a>> {
            match self.0.get(key) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(|item| match item {
                        Value::Object(o) => Some(Object(o)),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        }
    }
}
