//! The providers this build emulates. Each owns its wire format and uses the core for the rest.

pub mod hermes;
pub mod kycaid;
pub mod qolo;
pub mod rebilly;
pub mod sumvin;

use std::sync::Arc;

use crate::config::Config;
use crate::core::{Core, LoadError, Provider, ScenarioSchema};

/// What each provider's scenario files may contain.
pub fn scenario_schemas() -> Vec<Box<dyn ScenarioSchema>> {
    vec![
        rebilly::scenario_schema(),
        kycaid::scenario_schema(),
        hermes::scenario_schema(),
        qolo::scenario_schema(),
        sumvin::scenario_schema(),
    ]
}

/// Builds every provider from its fixtures; all fixture errors are reported together.
pub fn build(core: &Arc<Core>, config: &Config) -> Result<Vec<Arc<dyn Provider>>, Vec<LoadError>> {
    let mut errors = Vec::new();
    let mut providers: Vec<Arc<dyn Provider>> = Vec::new();
    providers.push(Arc::new(rebilly::Rebilly::new(
        core.clone(),
        config.rebilly_implicit_customers,
    )));
    match kycaid::Kycaid::new(core.clone()) {
        Ok(p) => providers.push(Arc::new(p)),
        Err(e) => errors.push(e),
    }
    match hermes::Hermes::new(core.clone(), &config.hermes_clients) {
        Ok(p) => providers.push(Arc::new(p)),
        Err(e) => errors.push(e),
    }
    match qolo::Qolo::new(core.clone()) {
        Ok(p) => providers.push(Arc::new(p)),
        Err(e) => errors.push(e),
    }
    match sumvin::Sumvin::new(core.clone()) {
        Ok(p) => providers.push(Arc::new(p)),
        Err(e) => errors.push(e),
    }
    if errors.is_empty() {
        Ok(providers)
    } else {
        Err(errors)
    }
}
