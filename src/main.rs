use std::process::ExitCode;

use clap::Parser;
use kyc_sandbox::config::{CheckArgs, Cli, Command, Config, ScenarioArgs};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        None => kyc_sandbox::allocator::tune_for_workers(cli.serve.worker_count()),
        Some(Command::Serve(config)) => {
            kyc_sandbox::allocator::tune_for_workers(config.worker_count())
        }
        Some(_) => {}
    }
    let log = kyc_sandbox::logging::init();
    let code = match cli.command {
        None => serve(cli.serve),
        Some(Command::Serve(config)) => serve(*config),
        Some(Command::Check(args)) => check(args),
        Some(Command::Scenarios(args)) => list_scenarios(args),
    };
    log.flush_now();
    code
}

fn serve(config: Config) -> ExitCode {
    match actix_web::rt::System::new().block_on(kyc_sandbox::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let (scenarios, fixtures) = match &args.dir {
        None => (None, None),
        Some(dir) if dir.join("scenarios").is_dir() || dir.join("fixtures").is_dir() => (
            Some(dir.join("scenarios")).filter(|d| d.is_dir()),
            Some(dir.join("fixtures")).filter(|d| d.is_dir()),
        ),
        Some(dir) => (Some(dir.clone()), None),
    };
    let errors = kyc_sandbox::check_files(scenarios.as_deref(), fixtures.as_deref());
    for error in &errors {
        println!("{error}");
    }
    if errors.is_empty() {
        println!("ok");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn list_scenarios(args: ScenarioArgs) -> ExitCode {
    let schemas = kyc_sandbox::providers::scenario_schemas();
    match kyc_sandbox::core::load_scenarios(&schemas, args.scenarios.as_deref()) {
        Ok(set) => {
            for s in set.summaries() {
                let when = if s.forced_only {
                    "named only".to_owned()
                } else {
                    format!("when {}", serde_json::to_string(s.when).unwrap_or_default())
                };
                println!(
                    "{:<34} {:<8} {:<16} priority {:>4}  {}  {}",
                    s.name,
                    s.provider,
                    s.on,
                    s.priority,
                    when,
                    s.description.unwrap_or("")
                );
            }
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for error in errors {
                eprintln!("{error}");
            }
            ExitCode::FAILURE
        }
    }
}
