//! `yui admin create-user`: an account of any role, the password from YUI_PASSWORD or stdin.

use std::io::BufRead;

use yui::config::Config;
use yui::server;
use yui::services::accounts::NewAccount;

pub async fn create_user(
    config: &Config,
    email: String,
    role: String,
    display_name: Option<String>,
    locale: String,
    area: Option<String>,
) -> Result<(), String> {
    let password = read_password()?;
    let services = server::build_services(config)
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
    let display_name =
        display_name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
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
