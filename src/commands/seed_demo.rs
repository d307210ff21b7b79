//! `yui seed-demo`: load the Nara East demo and print its accounts.

use yui::config::Config;
use yui::demo;
use yui::server;

pub async fn run(config: &Config) -> Result<(), String> {
    let services = server::build_services(config)
        .await
        .map_err(|e| e.to_string())?;
    let summary = yui::demo::seed(&services)
        .await
        .map_err(|e| e.to_string())?;
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
