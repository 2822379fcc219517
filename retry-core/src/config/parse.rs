//! The string form: the attribute's syntax for the policy keys, e.g.
//! `expo(factor = 100ms), max_tries = 4, max_time = 50s`.

use core::time::Duration;

use super::{
    base_from, closest, jitter_from_name, tries_from, unknown_jitter, unknown_key, ConfigError,
    Draft, Form, Strategy,
};
use crate::duration::{parse_duration, DurationError};
use crate::Policy;

#[derive(Clone, Debug, PartialEq)]
enum Token<'a> {
    /// A run of characters other than spaces, quotes and `(),=`: a key, a name, a number
    /// or an unquoted duration.
    Word(&'a str),
    /// A double-quoted string; `\` takes the next character as it is.
    Quoted(String),
    Open,
    Close,
    Comma,
    Eq,
    End,
}

impl Token<'_> {
    fn describe(&self) -> String {
        match self {
            Token::Word(w) => format!("`{w}`"),
            Token::Quoted(s) => format!("{s:?}"),
            Token::Open => "`(`".into(),
            Token::Close => "`)`".into(),
            Token::Comma => "`,`".into(),
            Token::Eq => "`=`".into(),
            Token::End => "the end".into(),
        }
    }
}

#[derive(Clone)]
struct Lexer<'a> {
    text: &'a str,
    /// Byte offset of the next token.
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// The next token and the column (in characters, from 1) where it starts.
    fn next(&mut self) -> Result<(usize, Token<'a>), ConfigError> {
        let rest = &self.text[self.pos..];
        let rest_trimmed = rest.trim_start();
        self.pos += rest.len() - rest_trimmed.len();
        let column = self.text[..self.pos].chars().count() + 1;
        let Some(first) = rest_trimmed.chars().next() else {
            return Ok((column, Token::End));
        };
        let punct = match first {
            '(' => Some(Token::Open),
            ')' => Some(Token::Close),
            ',' => Some(Token::Comma),
            '=' => Some(Token::Eq),
            _ => None,
        };
        if let Some(token) = punct {
            self.pos += 1;
            return Ok((column, token));
        }
        if first == '"' {
            let mut value = String::new();
            let mut chars = rest_trimmed.char_indices().skip(1);
            while let Some((i, c)) = chars.next() {
                match c {
                    '"' => {
                        self.pos += i + 1;
                        return Ok((column, Token::Quoted(value)));
                    }
                    '\\' => match chars.next() {
                        Some((_, escaped)) => value.push(escaped),
                        None => break,
                    },
                    _ => value.push(c),
                }
            }
            return Err(ConfigError::Syntax {
                column,
                expected: "a closing `\"` for the string that starts here".into(),
                found: "the end".into(),
            });
        }
        let len = rest_trimmed
            .find(|c: char| c.is_whitespace() || "(),=\"".contains(c))
            .unwrap_or(rest_trimmed.len());
        self.pos += len;
        Ok((column, Token::Word(&rest_trimmed[..len])))
    }

    fn peek(&self) -> Result<Token<'a>, ConfigError> {
        self.clone().next().map(|(_, token)| token)
    }
}

fn syntax(column: usize, expected: impl Into<String>, found: &Token<'_>) -> ConfigError {
    ConfigError::Syntax {
        column,
        expected: expected.into(),
        found: found.describe(),
    }
}

/// Reads a whole policy string.
pub(super) fn policy(text: &str) -> Result<Policy, ConfigError> {
    let mut lexer = Lexer { text, pos: 0 };
    let mut draft = Draft::default();
    loop {
        let (column, token) = lexer.next()?;
        let key = match token {
            Token::End => break,
            Token::Word(key) => key,
            other => {
                return Err(syntax(
                    column,
                    "a key such as `expo` or `max_tries`",
                    &other,
                ))
            }
        };
        let key = item(&mut lexer, &mut draft, key)?;
        let (column, token) = lexer.next()?;
        match token {
            Token::End => break,
            Token::Comma => {}
            other => {
                return Err(syntax(
                    column,
                    format!("`,` or the end after `{key}`"),
                    &other,
                ))
            }
        }
    }
    draft.build()
}

/// Reads the value of `key` (after the key itself), returning the key's own name.
fn item(lexer: &mut Lexer<'_>, draft: &mut Draft, key: &str) -> Result<&'static str, ConfigError> {
    Ok(match key {
        "expo" => {
            draft.strategy_key(Strategy::Expo)?;
            if lexer.peek()? == Token::Open {
                lexer.next()?;
                arguments(lexer, draft, Strategy::Expo, &["base", "factor"])?;
            }
            "expo"
        }
        "fibo" => {
            draft.strategy_key(Strategy::Fibo)?;
            if lexer.peek()? == Token::Open {
                lexer.next()?;
                arguments(lexer, draft, Strategy::Fibo, &["factor"])?;
            }
            "fibo"
        }
        "constant" => {
            draft.strategy_key(Strategy::Constant)?;
            constant(lexer, draft)?;
            "constant"
        }
        "jitter" => {
            draft.key("jitter")?;
            expect_eq(lexer, "jitter")?;
            draft.jitter = Some(match value(lexer, "jitter")? {
                Token::Word(w) => jitter_from_name(w).ok_or_else(|| unknown_jitter(w))?,
                other => {
                    return Err(ConfigError::Expected {
                        key: "jitter",
                        expected: "one of full, equal, decorrelated, none, without quotes",
                        found: other.describe(),
                    })
                }
            });
            "jitter"
        }
        "max_tries" => {
            draft.key("max_tries")?;
            expect_eq(lexer, "max_tries")?;
            let token = value(lexer, "max_tries")?;
            let whole = match &token {
                Token::Word(w) if is_integer(w) => Some(w.parse::<i128>().unwrap_or(i128::MAX)),
                _ => None,
            };
            draft.max_tries = Some(match whole {
                Some(n) => tries_from(n).map_err(|e| match e {
                    // Past i128: say what was written, not i128::MAX.
                    ConfigError::OutOfRange { key, rule, .. } => ConfigError::OutOfRange {
                        key,
                        rule,
                        found: token_text(&token),
                    },
                    other => other,
                })?,
                None => {
                    return Err(ConfigError::Expected {
                        key: "max_tries",
                        expected: "a whole number of attempts such as 4",
                        found: token.describe(),
                    })
                }
            });
            "max_tries"
        }
        "forever" => {
            draft.key("forever")?;
            draft.forever = true;
            "forever"
        }
        "max_time" => {
            draft.key("max_time")?;
            expect_eq(lexer, "max_time")?;
            draft.max_time = Some(duration(lexer, "max_time")?);
            "max_time"
        }
        "max_delay" => {
            draft.key("max_delay")?;
            expect_eq(lexer, "max_delay")?;
            draft.max_delay = Some(duration(lexer, "max_delay")?);
            "max_delay"
        }
        "base" => {
            return Err(ConfigError::Misplaced {
                key: "base",
                why: "belongs inside `expo(...)`: write e.g. `expo(base = 2)`",
            })
        }
        "factor" => {
            return Err(ConfigError::Misplaced {
                key: "factor",
                why: "belongs inside `expo(...)` or `fibo(...)`: write e.g. `expo(factor = 100ms)`",
            })
        }
        "interval" => {
            return Err(ConfigError::Misplaced {
                key: "interval",
                why: "belongs inside `constant(...)`: write e.g. `constant(interval = 250ms)`",
            })
        }
        "strategy" => {
            return Err(ConfigError::Misplaced {
                key: "strategy",
                why: "is a key of the table form; in a string, name the strategy itself: `expo`, `fibo` or `constant(1s)`",
            })
        }
        _ => return Err(unknown_key(key, Form::String)),
    })
}

fn is_integer(word: &str) -> bool {
    let digits = word.strip_prefix('-').unwrap_or(word);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn token_text(token: &Token<'_>) -> String {
    match token {
        Token::Word(w) => (*w).to_owned(),
        other => other.describe(),
    }
}

fn expect_eq(lexer: &mut Lexer<'_>, key: &str) -> Result<(), ConfigError> {
    match lexer.next()? {
        (_, Token::Eq) => Ok(()),
        (column, other) => Err(syntax(column, format!("`=` after `{key}`"), &other)),
    }
}

/// The next token, which must be a value (a word or a string).
fn value<'a>(lexer: &mut Lexer<'a>, key: &str) -> Result<Token<'a>, ConfigError> {
    match lexer.next()? {
        (_, token @ (Token::Word(_) | Token::Quoted(_))) => Ok(token),
        (column, other) => Err(syntax(column, format!("a value for `{key}`"), &other)),
    }
}

/// A duration: a literal with or without quotes, or a bare integer of seconds.
fn duration(lexer: &mut Lexer<'_>, key: &'static str) -> Result<Duration, ConfigError> {
    let in_key = |error| ConfigError::Duration { key, error };
    match value(lexer, key)? {
        Token::Quoted(text) => parse_duration(&text).map_err(in_key),
        Token::Word(word) if word.bytes().all(|b| b.is_ascii_digit()) => {
            word.parse::<u64>().map(Duration::from_secs).map_err(|_| {
                in_key(DurationError::TooLong {
                    input: word.to_owned(),
                })
            })
        }
        Token::Word(word) => parse_duration(word).map_err(in_key),
        // `value` returns words and strings only.
        other => Err(ConfigError::Expected {
            key,
            expected: "a duration",
            found: other.describe(),
        }),
    }
}

/// `(name = value, ...)` after a strategy, the `(` already read.
fn arguments(
    lexer: &mut Lexer<'_>,
    draft: &mut Draft,
    strategy: Strategy,
    accepted: &'static [&'static str],
) -> Result<(), ConfigError> {
    loop {
        let name = match lexer.next()? {
            (_, Token::Close) => return Ok(()),
            (_, Token::Word(name)) => name,
            (column, other) => {
                return Err(syntax(
                    column,
                    format!("an argument of `{}` or `)`", strategy.name()),
                    &other,
                ))
            }
        };
        let Some(name) = accepted.iter().copied().find(|a| *a == name) else {
            return Err(ConfigError::UnknownArgument {
                strategy: strategy.name(),
                found: name.to_owned(),
                suggestion: closest(&name.to_ascii_lowercase(), accepted),
                accepted,
            });
        };
        draft.key(name)?;
        expect_eq(lexer, name)?;
        match name {
            "base" => {
                draft.base = Some(match value(lexer, "base")? {
                    Token::Word(w) => match w.parse::<f64>() {
                        Ok(base) => base_from(base, w)?,
                        Err(_) => return Err(not_a_base(&Token::Word(w))),
                    },
                    other => return Err(not_a_base(&other)),
                })
            }
            "factor" => draft.factor = Some(duration(lexer, "factor")?),
            _ => draft.interval = Some(duration(lexer, "interval")?),
        }
        match lexer.next()? {
            (_, Token::Comma) => {}
            (_, Token::Close) => return Ok(()),
            (column, other) => return Err(syntax(column, "`,` or `)`", &other)),
        }
    }
}

fn not_a_base(found: &Token<'_>) -> ConfigError {
    ConfigError::Expected {
        key: "base",
        expected: "a number >= 1 such as 2 or 1.5",
        found: found.describe(),
    }
}

const CONSTANT_NEEDS: &str = "write `constant(1s)` or `constant(interval = 1s)`";

/// `(250ms)` or `(interval = 250ms)` after `constant`.
fn constant(lexer: &mut Lexer<'_>, draft: &mut Draft) -> Result<(), ConfigError> {
    if lexer.peek()? != Token::Open {
        return Err(ConfigError::MissingInterval {
            example: CONSTANT_NEEDS,
        });
    }
    lexer.next()?;
    let mut ahead = lexer.clone();
    let named = matches!(ahead.next()?.1, Token::Word(_)) && ahead.next()?.1 == Token::Eq;
    if named {
        arguments(lexer, draft, Strategy::Constant, &["interval"])?;
    } else {
        if lexer.peek()? == Token::Close {
            return Err(ConfigError::MissingInterval {
                example: CONSTANT_NEEDS,
            });
        }
        draft.interval = Some(duration(lexer, "interval")?);
        match lexer.next()? {
            (_, Token::Close) => {}
            (column, other) => {
                return Err(syntax(
                    column,
                    "`)` after the interval (`constant` takes one)",
                    &other,
                ))
            }
        }
    }
    Ok(())
}
