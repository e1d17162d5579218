//! Reading and writing the connections of an integration.

use super::model::{Connection, Kind};
use super::Store;

/// Why a connection could not be written.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ConnError {
    NotFound,
    Conflict,
}

impl Store {
    pub(crate) fn connection(&self, integration: &str, name: &str) -> Option<&Connection> {
        self.integrations.get(integration)?.connections.get(name)
    }

    /// Inserts a new connection; `Conflict` if the name is used by any kind.
    pub(crate) fn create(
        &mut self,
        integration: &str,
        conn: Connection,
    ) -> Result<&Connection, ConnError> {
        let integ = self
            .integrations
            .get_mut(integration)
            .ok_or(ConnError::NotFound)?;
        if integ.connections.contains_key(&conn.name) {
            return Err(ConnError::Conflict);
        }
        let name = conn.name.clone();
        integ.connections.insert(name.clone(), conn);
        integ.connections.get(&name).ok_or(ConnError::NotFound)
    }

    /// The connection of that kind, for an update; `NotFound` if the name is unused or is a
    /// different kind.
    pub(crate) fn connection_mut(
        &mut self,
        integration: &str,
        kind: Kind,
        name: &str,
    ) -> Result<&mut Connection, ConnError> {
        match self
            .integrations
            .get_mut(integration)
            .and_then(|i| i.connections.get_mut(name))
        {
            Some(c) if c.kind() == kind => Ok(c),
            _ => Err(ConnError::NotFound),
        }
    }

    pub(crate) fn delete(
        &mut self,
        integration: &str,
        kind: Kind,
        name: &str,
    ) -> Result<(), ConnError> {
        let integ = self
            .integrations
            .get_mut(integration)
            .ok_or(ConnError::NotFound)?;
        match integ.connections.get(name) {
            Some(c) if c.kind() == kind => {
                integ.connections.remove(name);
                Ok(())
            }
            _ => Err(ConnError::NotFound),
        }
    }

    pub(crate) fn connection_count(&self) -> usize {
        self.integrations
            .values()
            .map(|i| i.connections.len())
            .sum()
    }
}
