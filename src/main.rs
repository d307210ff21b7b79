//! The `yui` command: serve (the default), migrate, and admin tasks.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use yui::config::Config;
use yui::server;
use yui::services::accounts::NewAccount;

#[derive(Parser)]
#[command(
    name = "yui",
    version,
    about = "Yui: mutual-aid grocery deliveries for depopulating districts"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Address from YUI_BIND, database from DATABASE_URL.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the Nara East demo (hubs, neighbourhoods, residents, volunteers, post trips,
    /// requests for the next open date) and print its accounts. Running it again adds nothing.
    SeedDemo,
    /// Solve a standard problem file (FILE, or - for stdin) and print the solution in VROOM's
    /// output shape. Exit code 2 when the file is outside the supported subset.
    Solve {
        /// vroom (JSON), solomon or cvrplib.
        #[arg(long, default_value = "vroom")]
        format: String,
        /// Seconds of search.
        #[arg(long, default_value_t = 2.0)]
        time_limit: f64,
        /// Independent searches side by side (one per core is best); the best plan wins.
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// The random seed: the same seed and iterations give the same answer.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        file: String,
    },
    /// Administrative tasks.
    Admin {
        #[command(subcommand)]
        task: AdminTask,
    },
}

#[derive(Subcommand)]
enum AdminTask {
    /// Create an account of any role; the password is read from YUI_PASSWORD or stdin.
    CreateUser {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// family, volunteer, carrier, hub_keeper, coordinator or admin.
        #[arg(long)]
        role: String,
        /// The name shown to others (defaults to the part of the email before @).
        #[arg(long)]
        display_name: Option<String>,
        /// ja or en.
        #[arg(long, default_value = "ja")]
        locale: String,
        /// The area the account works in; created with the defaults if there is none.
        #[arg(long)]
        area: Option<String>,
    },
}

fn read_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("YUI_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err("no password: set YUI_PASSWORD or pipe the password on stdin".into());
    }
    Ok(password)
}

async fn run(cli: Cli, config: Config) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(config).await.map_err(|e| e.to_string()),
        Command::Solve { .. } => Ok(()),
        Command::SeedDemo => {
            let services = server::build_services(&config)
                .await
                .map_err(|e| e.to_string())?;
            let summary = yui::services::demo::seed(&services)
                .await
                .map_err(|e| e.to_string())?;
            use yui::services::demo;
            #[allow(clippy::print_stdout)]
            {
                println!(
                    "Demo area {} ({}): {} hubs, {} residents, {} volunteers, {} post trips, {} requests for {}.",
                    demo::AREA_NAME,
                    summary.area_id,
                    summary.hubs,
                    summary.residents,
                    summary.volunteers,
                    summary.post_trips,
                    summary.requests_for_date,
                    summary.delivery_date
                );
                println!("Sign in as:");
                println!(
                    "  coordinator  {}  {}",
                    demo::COORDINATOR_EMAIL,
                    demo::COORDINATOR_PASSWORD
                );
                println!(
                    "  family       {}  {}",
                    demo::FAMILY_EMAIL,
                    demo::FAMILY_PASSWORD
                );
                println!(
                    "  volunteers   volunteer1..8@nara-east.example.jp  {}",
                    demo::VOLUNTEER_PASSWORD
                );
            }
            Ok(())
        }
        Command::Migrate => {
            server::prepare_database(&config)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!("database {} is up to date", config.database.describe());
            Ok(())
        }
        Command::Admin {
            task:
                AdminTask::CreateUser {
                    email,
                    role,
                    display_name,
                    locale,
                    area,
                },
        } => {
            let password = read_password()?;
            let services = server::build_services(&config)
                .await
                .map_err(|e| e.to_string())?;
            let area_id = match area {
                Some(name) => Some(
                    services
                        .district
                        .area_named(&name)
                        .await
                        .map_err(|e| e.to_string())?
                        .id,
                ),
                None => None,
            };
            let display_name = display_name
                .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
            let user = services
                .accounts
                .create_by_staff(NewAccount {
                    email,
                    password,
                    display_name,
                    locale,
                    role,
                    area_id,
                })
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(user_id = %user.id, role = %user.role, "account created");
            #[allow(clippy::print_stdout)]
            {
                println!("created {} account {} ({})", user.role, user.id, user.email);
            }
            Ok(())
        }
    }
}

/// `yui solve`: no database, no configuration.
fn solve(format: &str, time_limit: f64, threads: usize, seed: u64, file: &str) -> ExitCode {
    use std::io::Read;
    use yui::planning::{solver, vroom};
    let started = std::time::Instant::now();
    let mut text = String::new();
    let read = if file == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(file).map(|t| text = t)
    };
    if let Err(e) = read {
        eprintln!("yui solve: cannot read {file}: {e}");
        return ExitCode::from(2);
    }
    let parsed = match format {
        "vroom" => vroom::parse_vroom(&text),
        "solomon" => vroom::parse_solomon(&text, 1000.0),
        "cvrplib" => vroom::parse_cvrplib(&text),
        other => Err(vroom::FormatError(format!(
            "--format {other}: use vroom, solomon or cvrplib"
        ))),
    };
    let problem = match parsed {
        Ok(problem) => problem,
        Err(e) => {
            eprintln!("yui solve: {e}");
            return ExitCode::from(2);
        }
    };
    if !(time_limit.is_finite() && time_limit >= 0.0) {
        eprintln!("yui solve: --time-limit must be a number of seconds");
        return ExitCode::from(2);
    }
    let loading = started.elapsed();
    let settings = solver::Settings {
        time_limit: std::time::Duration::from_secs_f64(time_limit),
        seed,
        max_iterations: None,
        threads,
    };
    let solution = solver::solve(&problem, &settings);
    // Never print a plan the independent checker refuses.
    if let Err(violations) = yui::planning::check::check(&problem, &solution) {
        eprintln!(
            "yui solve: the solution failed the feasibility check: {}",
            violations.join("; ")
        );
        return ExitCode::FAILURE;
    }
    let output = vroom::to_vroom_output(
        &problem,
        &solution,
        loading.as_millis(),
        (started.elapsed() - loading).as_millis(),
    );
    // A reader that stops early (`| head`) closes the pipe: that is not our failure.
    use std::io::Write;
    match writeln!(std::io::stdout().lock(), "{output}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("yui solve: cannot write the solution: {e}");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Solve {
        format,
        time_limit,
        threads,
        seed,
        file,
    }) = &cli.command
    {
        return solve(format, *time_limit, *threads, *seed, file);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("yui: {e}");
            return ExitCode::FAILURE;
        }
    };
    yui::telemetry::init(config.log_format);
    match run(cli, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yui: {e}");
            ExitCode::FAILURE
        }
    }
}
