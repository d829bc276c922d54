//! `mock-provider`: serve the local provider server.

use clap::Parser;
use mock_provider::faults::Faults;
use mock_provider::{router, AppState};

#[derive(Parser, Debug)]
#[command(
    about = "A local server speaking the OpenAI and Anthropic chat protocols, for synfact's development and tests"
)]
struct Cli {
    /// Address to listen on (loopback only by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port (0 picks a free one; the chosen address is printed).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Serve HTTPS with HTTP/2, using a certificate generated at start.
    #[arg(long)]
    tls: bool,
    /// Require this API key (OpenAI Bearer, Anthropic x-api-key). Without it any key is accepted.
    #[arg(long)]
    api_key: Option<String>,
    /// The token the local Hugging Face Hub routes accept.
    #[arg(long, default_value = mock_provider::HUB_TOKEN)]
    hub_token: String,
    #[command(flatten)]
    faults: Faults,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let mut state = AppState::new(cli.faults, cli.api_key);
    state.hub_token = Some(cli.hub_token);
    let app = router(state);
    let listener = std::net::TcpListener::bind((cli.host.as_str(), cli.port)).unwrap_or_else(|e| {
        eprintln!(
            "mock-provider: cannot listen on {}:{}: {e}",
            cli.host, cli.port
        );
        std::process::exit(1);
    });
    let addr = listener
        .local_addr()
        .expect("a bound socket has an address");
    let scheme = if cli.tls { "https" } else { "http" };
    println!("mock-provider listening on {scheme}://{addr} (base URL {scheme}://{addr}/v1)");
    mock_provider::serve(listener, app, cli.tls).await;
}
