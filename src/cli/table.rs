//! Aligned tables: bold header, two spaces between columns, chosen columns right-aligned,
//! widths measured in terminal columns (colours ignored, East Asian wide characters count 2).

use super::output::{Style, width};

/// An aligned table: bold header, two spaces between columns, numbers right-aligned.
pub struct Table {
    head: Vec<&'static str>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(head: &[&'static str]) -> Self {
        Self { head: head.to_vec(), right: vec![false; head.len()], rows: Vec::new() }
    }

    /// Right-align these columns.
    pub fn right(mut self, cols: &[usize]) -> Self {
        for c in cols {
            if let Some(r) = self.right.get_mut(*c) {
                *r = true;
            }
        }
        self
    }

    /// Add a row; cells are shown as given (clean untrusted text before).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, ending with a newline.
    pub fn render(&self, style: Style) -> String {
        let cols = self.head.len();
        let mut w: Vec<usize> = self.head.iter().map(|h| h.len()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(cols) {
                w[i] = w[i].max(width(c));
            }
        }
        let line = |cells: Vec<String>| {
            let last = cells.len().saturating_sub(1);
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let fill = " ".repeat(w.get(i).copied().unwrap_or(0).saturating_sub(width(c)));
                    match (self.right.get(i).copied().unwrap_or(false), i == last) {
                        (true, _) => format!("{fill}{c}"),
                        (false, true) => c.clone(),
                        (false, false) => format!("{c}{fill}"),
                    }
                })
                .collect();
            parts.join("  ")
        };
        let mut out = line(self.head.iter().map(|h| style.bold(h)).collect());
        out.push('\n');
        for r in &self.rows {
            out.push_str(&line(r.clone()));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_on_visible_width() {
        let mut t = Table::new(&["NAME", "N"]).right(&[1]);
        t.row(vec!["ünï".to_owned(), "5".to_owned()]);
        t.row(vec!["\x1b[32mok\x1b[0m".to_owned(), "1,000".to_owned()]);
        t.row(vec!["名前".to_owned(), "2".to_owned()]);
        let s = t.render(Style { color: false });
        assert_eq!(s, "NAME      N\nünï       5\n\x1b[32mok\x1b[0m    1,000\n名前      2\n");
    }
}
