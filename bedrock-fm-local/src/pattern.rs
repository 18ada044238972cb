//! A small regular-expression matcher for the `pattern` constraints of the service model
//! (`ToolName: [a-zA-Z0-9_-]+`, `ToolUseId: [a-zA-Z0-9_.:-]+`, ...).
//!
//! It supports literals, escapes (`\s \d \w \.` and friends), `.`, character classes with
//! ranges and negation, groups with alternation, and the quantifiers `* + ? {m} {m,} {m,n}`.
//! The whole value must match (Coral validates with a full match: an empty tool name fails
//! `[a-zA-Z0-9_-]+`, as in the message quoted in litellm issue #19384). A pattern outside this
//! subset does not compile, and the validator then skips it.

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Any,
    Class(Vec<ClassItem>, bool),
    Group(Vec<Vec<Quantified>>),
}

#[derive(Debug, Clone)]
enum ClassItem {
    Range(char, char),
    Digit,
    Space,
    Word,
}

#[derive(Debug, Clone)]
struct Quantified {
    node: Node,
    min: usize,
    max: usize,
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    alternatives: Vec<Vec<Quantified>>,
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    _src: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn alternatives(&mut self) -> Option<Vec<Vec<Quantified>>> {
        let mut alts = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            alts.push(self.sequence()?);
        }
        Some(alts)
    }

    fn sequence(&mut self) -> Option<Vec<Quantified>> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let node = self.atom()?;
            let (min, max) = self.quantifier()?;
            seq.push(Quantified { node, min, max });
        }
        Some(seq)
    }

    fn escape_item(&mut self) -> Option<Result<char, ClassItem>> {
        Some(match self.next()? {
            'd' => Err(ClassItem::Digit),
            's' => Err(ClassItem::Space),
            'w' => Err(ClassItem::Word),
            'n' => Ok('\n'),
            't' => Ok('\t'),
            'r' => Ok('\r'),
            c if c.is_ascii_alphanumeric() => return None,
            c => Ok(c),
        })
    }

    fn atom(&mut self) -> Option<Node> {
        match self.next()? {
            '.' => Some(Node::Any),
            '(' => {
                if self.peek() == Some('?') {
                    // (?:...) non-capturing group.
                    self.pos += 1;
                    if self.next()? != ':' {
                        return None;
                    }
                }
                let alts = self.alternatives()?;
                if self.next()? != ')' {
                    return None;
                }
                Some(Node::Group(alts))
            }
            '[' => self.class(),
            '\\' => Some(match self.escape_item()? {
                Ok(c) => Node::Char(c),
                Err(item) => Node::Class(vec![item], false),
            }),
            '^' | '$' if self.pos == 1 || self.peek().is_none() => Some(Node::Group(vec![vec![]])),
            '*' | '+' | '?' | '{' | ')' | ']' => None,
            c => Some(Node::Char(c)),
        }
    }

    fn class(&mut self) -> Option<Node> {
        let mut negated = false;
        if self.peek() == Some('^') {
            negated = true;
            self.pos += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.next()?;
            if c == ']' && !first {
                break;
            }
            first = false;
            let start = if c == '\\' {
                match self.escape_item()? {
                    Ok(c) => c,
                    Err(item) => {
                        items.push(item);
                        continue;
                    }
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&n| n != ']') {
                self.pos += 1;
                let mut end = self.next()?;
                if end == '\\' {
                    end = self.escape_item()?.ok()?;
                }
                if end < start {
                    return None;
                }
                items.push(ClassItem::Range(start, end));
            } else {
                items.push(ClassItem::Range(start, start));
            }
        }
        Some(Node::Class(items, negated))
    }

    fn number(&mut self) -> Option<usize> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.chars[start..self.pos]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    fn quantifier(&mut self) -> Option<(usize, usize)> {
        Some(match self.peek() {
            Some('*') => {
                self.pos += 1;
                (0, usize::MAX)
            }
            Some('+') => {
                self.pos += 1;
                (1, usize::MAX)
            }
            Some('?') => {
                self.pos += 1;
                (0, 1)
            }
            Some('{') => {
                self.pos += 1;
                let min = self.number()?;
                let max = match self.next()? {
                    '}' => min,
                    ',' => {
                        if self.peek() == Some('}') {
                            self.pos += 1;
                            usize::MAX
                        } else {
                            let max = self.number()?;
                            if self.next()? != '}' {
                                return None;
                            }
                            max
                        }
                    }
                    _ => return None,
                };
                (min, max)
            }
            _ => (1, 1),
        })
    }
}

fn class_item_matches(item: &ClassItem, c: char) -> bool {
    match item {
        ClassItem::Range(a, b) => (*a..=*b).contains(&c),
        ClassItem::Digit => c.is_ascii_digit(),
        ClassItem::Space => c.is_whitespace(),
        ClassItem::Word => c.is_ascii_alphanumeric() || c == '_',
    }
}

impl Pattern {
    /// Compiles `src`; `None` if it uses syntax outside the supported subset.
    pub fn compile(src: &str) -> Option<Pattern> {
        let mut p = Parser {
            chars: src.chars().collect(),
            pos: 0,
            _src: src,
        };
        let alternatives = p.alternatives()?;
        if p.pos != p.chars.len() {
            return None;
        }
        Some(Pattern { alternatives })
    }

    /// Whether the whole of `input` matches.
    pub fn is_full_match(&self, input: &str) -> bool {
        let chars: Vec<char> = input.chars().collect();
        let mut budget = 200_000usize;
        match_alts(&self.alternatives, &chars, 0, &mut budget, &mut |end, _| {
            end == chars.len()
        })
    }
}

// Continuation-passing backtracking matcher; `budget` bounds the work on pathological input.
fn match_alts(
    alts: &[Vec<Quantified>],
    s: &[char],
    pos: usize,
    budget: &mut usize,
    k: &mut dyn FnMut(usize, &mut usize) -> bool,
) -> bool {
    for seq in alts {
        if match_seq(seq, s, pos, budget, k) {
            return true;
        }
    }
    false
}

fn match_seq(
    seq: &[Quantified],
    s: &[char],
    pos: usize,
    budget: &mut usize,
    k: &mut dyn FnMut(usize, &mut usize) -> bool,
) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    match seq.split_first() {
        None => k(pos, budget),
        Some((q, rest)) => match_repeat(q, 0, s, pos, budget, &mut |p, b| {
            match_seq(rest, s, p, b, k)
        }),
    }
}

fn match_repeat(
    q: &Quantified,
    count: usize,
    s: &[char],
    pos: usize,
    budget: &mut usize,
    k: &mut dyn FnMut(usize, &mut usize) -> bool,
) -> bool {
    if *budget == 0 {
        return false;
    }
    *budget -= 1;
    // Greedy: try one more repetition first, then stop here.
    if count < q.max {
        let more = match_node(&q.node, s, pos, budget, &mut |p, b| {
            // An empty iteration is only useful to reach the minimum count.
            (p != pos || count < q.min) && match_repeat(q, count + 1, s, p, b, k)
        });
        if more {
            return true;
        }
    }
    count >= q.min && k(pos, budget)
}

fn match_node(
    node: &Node,
    s: &[char],
    pos: usize,
    budget: &mut usize,
    k: &mut dyn FnMut(usize, &mut usize) -> bool,
) -> bool {
    match node {
        Node::Char(c) => s.get(pos) == Some(c) && k(pos + 1, budget),
        Node::Any => s.get(pos).is_some_and(|&c| c != '\n') && k(pos + 1, budget),
        Node::Class(items, negated) => match s.get(pos) {
            Some(&c) => {
                let hit = items.iter().any(|i| class_item_matches(i, c));
                hit != *negated && k(pos + 1, budget)
            }
            None => false,
        },
        Node::Group(alts) => match_alts(alts, s, pos, budget, k),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Pattern::compile(p).unwrap().is_full_match(s)
    }

    #[test]
    fn tool_name_pattern_from_the_model() {
        let p = "[a-zA-Z0-9_-]+";
        assert!(m(p, "get_weather"));
        assert!(m(p, "top-song-1"));
        assert!(!m(p, ""));
        assert!(!m(p, "get weather"));
        assert!(!m(p, "a.b"));
    }

    #[test]
    fn tool_use_id_and_metadata_patterns() {
        assert!(m("[a-zA-Z0-9_.:-]+", "tooluse_abc.1:2-3"));
        assert!(!m("[a-zA-Z0-9_.:-]+", "tool use"));
        let meta = "[a-zA-Z0-9\\s:_@$#=/+,-.]{1,256}";
        assert!(m(meta, "team: a/b"));
        assert!(!m(meta, ""));
        assert!(!m(meta, "a!b"));
    }

    #[test]
    fn groups_alternation_and_counts() {
        let v = "(|([1-9][0-9]{0,7})|(DRAFT))";
        assert!(m(v, ""));
        assert!(m(v, "12"));
        assert!(m(v, "DRAFT"));
        assert!(!m(v, "012"));
        assert!(!m(v, "123456789"));
        assert!(m("[0-9]{12}", "123456789012"));
        assert!(!m("[0-9]{12}", "12345678901"));
        assert!(m(
            "s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?",
            "s3://my-bucket/key"
        ));
        assert!(!m(
            "s3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?",
            "http://x"
        ));
    }

    #[test]
    fn model_id_pattern_compiles_and_matches() {
        let p = crate::service_model::shape("ConversationalModelId").unwrap()["pattern"]
            .as_str()
            .unwrap();
        let p = Pattern::compile(p).expect("the model ID pattern is in the supported subset");
        assert!(p.is_full_match("anthropic.claude-3-haiku-20240307-v1:0"));
    }

    #[test]
    fn unsupported_syntax_does_not_compile() {
        assert!(Pattern::compile("a(?=b)").is_none());
        assert!(Pattern::compile("[abc").is_none());
        assert!(Pattern::compile("\\p{L}+").is_none());
    }

    #[test]
    fn pathological_patterns_terminate() {
        let p = Pattern::compile("(a*)*b").unwrap();
        assert!(!p.is_full_match(&"a".repeat(40)));
    }
}
