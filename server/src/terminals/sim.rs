//! A terminal simulator (TG-3) that behaves like a Lane/5000: it connects, says Hello,
//! keeps alive, and answers a transaction request with stage reports and then a response
//! chosen by the amount's last two digits:
//!
//! - `05`: declined;
//! - `13`: technical problem;
//! - `77`: waits (30 s by default) for a cancel, then approves;
//! - anything else: approved.

use super::link::{Incoming, LinkError, Outgoing};
use domain::money::{Currency, Money};
use domain::terminal::{Body, TerminalStage, TransactionOutcome, TransactionResult};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::time::Instant;

/// How the simulator behaves.
#[derive(Clone, Debug)]
pub struct SimOptions {
    /// Gateway address, `host:port`.
    pub connect: String,
    /// Terminal id.
    pub terminal_id: String,
    /// Model it announces.
    pub model: String,
    /// Currency it charges in.
    pub currency: Currency,
    /// Pause between stages (card read, PIN typed).
    pub step: Duration,
    /// How long an amount ending in 77 waits for a cancel.
    pub cancel_wait: Duration,
    /// The local address to connect from (the system's choice when `None`).
    pub source: Option<std::net::IpAddr>,
}

impl SimOptions {
    /// A Lane/5000 with `terminal_id` at `connect`, charging EUR.
    pub fn new(connect: &str, terminal_id: &str) -> SimOptions {
        SimOptions {
            connect: connect.to_owned(),
            terminal_id: terminal_id.to_owned(),
            model: "Lane/5000".to_owned(),
            currency: Currency::parse("EUR").unwrap_or_else(|| unreachable!("EUR is known")),
            step: Duration::from_millis(400),
            cancel_wait: Duration::from_secs(30),
            source: None,
        }
    }
}

/// What the terminal answers for `amount` (minor units), by its last two digits.
pub fn result_for(amount: u32) -> TransactionResult {
    match amount % 100 {
        5 => TransactionResult::Declined,
        13 => TransactionResult::TechnicalProblem,
        _ => TransactionResult::Approved,
    }
}

enum Step {
    /// Waiting for the card; for `77` amounts, waiting for a cancel.
    Card,
    /// Waiting for the PIN.
    Pin,
}

struct Pending {
    id: u64,
    amount: u32,
    step: Step,
    due: Instant,
}

/// Runs the simulator until the gateway closes the connection; `say` receives one line
/// per thing it does.
pub async fn run(options: SimOptions, say: impl Fn(String) + Send) -> Result<(), LinkError> {
    let stream = match options.source {
        None => TcpStream::connect(&options.connect).await?,
        Some(source) => connect_from(source, &options.connect).await?,
    };
    let _ = stream.set_nodelay(true);
    let (reader, writer) = stream.into_split();
    let mut out = Outgoing::new(writer, &options.terminal_id, "SIMULATOR");
    out.send(Body::Hello {
        model: Some(options.model.clone()),
    })
    .await?;
    say(format!(
        "connected to {} as {} ({})",
        options.connect, options.terminal_id, options.model
    ));
    let mut incoming = Incoming::new(reader, Duration::from_secs(30), Duration::from_secs(10));
    let keep_alive = match incoming.next().await?.body {
        Body::HelloResponse {
            result: 0,
            keep_alive_seconds,
        } => Duration::from_secs(u64::from(keep_alive_seconds.max(1))),
        other => {
            return Err(LinkError::Protocol(format!(
                "Hello refused: {:?}",
                other.message_type()
            )))
        }
    };
    say(format!(
        "hello accepted, keep-alive every {}s",
        keep_alive.as_secs()
    ));
    // The gateway is silent when idle: only our own keep-alives get answers.
    incoming.set_idle(keep_alive * 3 + Duration::from_secs(5));
    let (mut rx, reader) = incoming.spawn();
    let mut alive = tokio::time::interval_at(Instant::now() + keep_alive, keep_alive);
    let mut pending: Option<Pending> = None;
    let result = loop {
        let due = pending
            .as_ref()
            .map_or_else(|| Instant::now() + Duration::from_secs(3600), |p| p.due);
        tokio::select! {
            message = rx.recv() => {
                let message = match message {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => break Err(e),
                    None => break Err(LinkError::Closed),
                };
                match message.body {
                    Body::TransactionRequest { transaction_id, amount, .. } => {
                        if pending.is_some() {
                            break Err(LinkError::Protocol("a transaction is already running".into()));
                        }
                        say(format!("transaction {transaction_id}: {} asked, waiting for card", show(amount, options.currency)));
                        if let Err(e) = out.send(Body::Information { transaction_id: Some(transaction_id), stage: TerminalStage::WaitingForCard }).await {
                            break Err(e);
                        }
                        let wait = if amount % 100 == 77 { options.cancel_wait } else { options.step };
                        pending = Some(Pending { id: transaction_id, amount, step: Step::Card, due: Instant::now() + wait });
                    }
                    Body::CancelRequest { transaction_id, .. } => {
                        let _ = out.send(Body::CancelResponse { transaction_id, result: 0 }).await;
                        if pending.as_ref().is_some_and(|p| p.id == transaction_id) {
                            let p = pending.take().unwrap_or_else(|| unreachable!());
                            say(format!("transaction {transaction_id}: cancelled by the cash register"));
                            if let Err(e) = out.send(response(&options, &p, TransactionResult::Stopped)).await {
                                break Err(e);
                            }
                        }
                    }
                    Body::KeepAliveResponse | Body::ByeResponse => {}
                    Body::KeepAlive => {
                        if let Err(e) = out.send(Body::KeepAliveResponse).await {
                            break Err(e);
                        }
                    }
                    other => say(format!("ignored {:?}", other.message_type())),
                }
            }
            _ = alive.tick() => {
                if let Err(e) = out.send(Body::KeepAlive).await {
                    break Err(e);
                }
            }
            _ = tokio::time::sleep_until(due), if pending.is_some() => {
                let Some(mut p) = pending.take() else { continue };
                match p.step {
                    Step::Card => {
                        say(format!("transaction {}: card read, waiting for PIN", p.id));
                        if let Err(e) = out.send(Body::Information { transaction_id: Some(p.id), stage: TerminalStage::WaitingForPin }).await {
                            break Err(e);
                        }
                        p.step = Step::Pin;
                        p.due = Instant::now() + options.step;
                        pending = Some(p);
                    }
                    Step::Pin => {
                        let result = result_for(p.amount);
                        say(format!("transaction {}: {}", p.id, result.api_name()));
                        if let Err(e) = out.send(response(&options, &p, result)).await {
                            break Err(e);
                        }
                    }
                }
            }
        }
    };
    reader.abort();
    result
}

/// Connects to `to` (`host:port`) from local address `source`.
pub async fn connect_from(source: std::net::IpAddr, to: &str) -> std::io::Result<TcpStream> {
    let to = tokio::net::lookup_host(to)
        .await?
        .find(|a| a.is_ipv4() == source.is_ipv4())
        .ok_or_else(|| std::io::Error::other("no address of the same family"))?;
    let socket = if source.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.bind(std::net::SocketAddr::new(source, 0))?;
    socket.connect(to).await
}

fn show(amount: u32, currency: Currency) -> String {
    Money::new(i64::from(amount), currency)
        .map(|m| m.to_string())
        .unwrap_or_else(|_| amount.to_string())
}

/// The simulated card: a Visa test card, masked as terminals print it.
const MASKED_PAN: &str = "476173******0010";

fn response(options: &SimOptions, p: &Pending, result: TransactionResult) -> Body {
    let approved = result == TransactionResult::Approved;
    let auth = approved.then(|| format!("{:06}", (p.id * 7919 + 104_729) % 1_000_000));
    let card_read = !matches!(result, TransactionResult::Stopped);
    let mut receipt = vec![
        format!("TERMINAL {}", options.terminal_id),
        "SALE".to_owned(),
        format!("AMOUNT {}", show(p.amount, options.currency)),
    ];
    if card_read {
        receipt.push(format!("VISA {MASKED_PAN}"));
    }
    if let Some(code) = &auth {
        receipt.push(format!("AUTH CODE {code}"));
    }
    receipt.push(
        match result {
            TransactionResult::Approved => "APPROVED",
            TransactionResult::Declined => "DECLINED",
            TransactionResult::Stopped => "CANCELLED",
            TransactionResult::TechnicalProblem => "TECHNICAL PROBLEM",
            TransactionResult::Error => "ERROR",
        }
        .to_owned(),
    );
    Body::TransactionResponse(TransactionOutcome {
        transaction_id: Some(p.id),
        result,
        stage: TerminalStage::Finished,
        amount: Some(p.amount),
        currency: Some(options.currency.numeric()),
        authorisation_code: auth,
        brand: card_read.then(|| "Visa".to_owned()),
        masked_pan: card_read.then(|| MASKED_PAN.to_owned()),
        receipt: Some(receipt.join("\n")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_rules() {
        assert_eq!(result_for(1205), TransactionResult::Declined);
        assert_eq!(result_for(13), TransactionResult::TechnicalProblem);
        assert_eq!(result_for(1234), TransactionResult::Approved);
        assert_eq!(result_for(1277), TransactionResult::Approved);
    }
}
