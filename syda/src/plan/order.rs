//! Generation order: a dependency graph of tables over foreign keys, parents
//! first, cycles broken at nullable foreign keys, and the levels of tables
//! that can be generated at the same time.

use std::collections::{BTreeSet, HashSet};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use super::{Planner, invalid};
use crate::error::Result;
use crate::schema::{ForeignKey, Table};

/// A foreign key that was generated NULL first and filled after its parent
/// table existed, because the tables reference each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeferredKey {
    /// The child table.
    pub table: String,
    /// The foreign key's columns in the child.
    pub columns: Vec<String>,
    /// The parent table.
    pub parent: String,
}

/// The generation order with the foreign keys to fill afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Table indexes into the schema, parents before children.
    pub tables: Vec<usize>,
    /// Foreign keys filled after their parent, to break cycles.
    pub deferred: Vec<DeferredKey>,
}

impl Order {
    /// Whether `fk` of `table` is filled after the fact.
    pub fn is_deferred(&self, table: &Table, fk: &ForeignKey) -> bool {
        self.deferred
            .iter()
            .any(|d| d.table == table.name && d.columns.iter().eq(fk.columns.iter()))
    }
}

impl Planner<'_> {
    /// Generation order: parents before children, declaration order among
    /// equals; cycles broken at nullable foreign keys.
    pub fn order(&self) -> Result<Order> {
        let schema = self.schema;
        self.check_names()?;
        let mut graph = DiGraph::<usize, (usize, ForeignKey, bool)>::new();
        let nodes: Vec<NodeIndex> = (0..schema.tables.len()).map(|i| graph.add_node(i)).collect();
        for (child, table) in schema.tables.iter().enumerate() {
            for fk in table.all_foreign_keys() {
                let parent = schema.table_index(&fk.table).ok_or_else(|| invalid(schema))?;
                if parent != child {
                    let optional = table.is_optional(&fk);
                    graph.add_edge(nodes[parent], nodes[child], (child, fk, optional));
                }
            }
        }
        // Inside each strongly connected component, nullable edges are
        // deferred; validation guarantees what remains is acyclic.
        let mut deferred = Vec::new();
        for component in tarjan_scc(&graph).into_iter().filter(|c| c.len() > 1) {
            let members: HashSet<NodeIndex> = component.iter().copied().collect();
            let inner: Vec<_> = graph
                .edge_indices()
                .filter(|&e| {
                    graph[e].2
                        && graph
                            .edge_endpoints(e)
                            .is_some_and(|(a, b)| members.contains(&a) && members.contains(&b))
                })
                .collect();
            for e in inner.into_iter().rev() {
                if let Some((child, fk, _)) = graph.remove_edge(e) {
                    deferred.push(DeferredKey {
                        table: schema.tables[child].name.to_string(),
                        columns: fk.columns.iter().map(ToString::to_string).collect(),
                        parent: fk.table.to_string(),
                    });
                }
            }
        }
        // Kahn's algorithm, always taking the earliest declared ready table.
        let mut waiting: Vec<usize> = nodes
            .iter()
            .map(|&n| graph.neighbors_directed(n, petgraph::Direction::Incoming).count())
            .collect();
        let mut ready: BTreeSet<usize> = (0..nodes.len()).filter(|&i| waiting[i] == 0).collect();
        let mut tables = Vec::with_capacity(nodes.len());
        while let Some(next) = ready.pop_first() {
            tables.push(next);
            for child in graph.neighbors_directed(nodes[next], petgraph::Direction::Outgoing) {
                let c = graph[child];
                waiting[c] -= 1;
                if waiting[c] == 0 {
                    ready.insert(c);
                }
            }
        }
        if tables.len() != nodes.len() {
            return Err(invalid(schema));
        }
        deferred.sort_by(|a, b| (&a.table, &a.columns).cmp(&(&b.table, &b.columns)));
        Ok(Order { tables, deferred })
    }

    /// The tables of `order` in dependency levels: every table's parents
    /// (through foreign keys not deferred) are in earlier levels.
    pub(super) fn levels(&self, order: &Order) -> Vec<Vec<usize>> {
        let schema = self.schema;
        let mut level = vec![0usize; schema.tables.len()];
        let mut levels: Vec<Vec<usize>> = Vec::new();
        for &t in &order.tables {
            let table = &schema.tables[t];
            let l = table
                .all_foreign_keys()
                .iter()
                .filter(|fk| fk.table != table.name && !order.is_deferred(table, fk))
                .filter_map(|fk| schema.table_index(&fk.table))
                .map(|p| level[p] + 1)
                .max()
                .unwrap_or(0);
            level[t] = l;
            if levels.len() <= l {
                levels.resize(l + 1, Vec::new());
            }
            levels[l].push(t);
        }
        levels
    }
}
