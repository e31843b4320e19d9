//! Frames over a byte stream: what the gateway and the simulator share. Reading refuses a
//! declared length above the codec's cap before allocating anything.

use domain::terminal::{
    frame_length, Body, CodecError, Header, Message, SequenceCheck, SequenceCounter, PROTOCOL_ID,
};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Why a connection ends.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// The peer closed the connection.
    #[error("closed by the peer")]
    Closed,
    /// Nothing arrived in time.
    #[error("timed out")]
    Timeout,
    /// Socket failure.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// Bytes that are not a valid frame.
    #[error("malformed frame: {0}")]
    Codec(#[from] CodecError),
    /// A valid frame out of place (wrong sequence number, unexpected message).
    #[error("protocol error: {0}")]
    Protocol(String),
}

/// Reads one frame: waits up to `idle` for its first byte and `frame` for the rest.
pub async fn read_frame<R: AsyncRead + Unpin>(
    reader: &mut R,
    idle: Duration,
    frame: Duration,
) -> Result<Message, LinkError> {
    let mut first = [0u8; 1];
    match tokio::time::timeout(idle, reader.read(&mut first)).await {
        Err(_) => return Err(LinkError::Timeout),
        Ok(Ok(0)) => return Err(LinkError::Closed),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => return Err(e.into()),
    }
    tokio::time::timeout(frame, async {
        let mut rest = [0u8; 3];
        reader.read_exact(&mut rest).await?;
        let len = frame_length([first[0], rest[0], rest[1], rest[2]])?;
        let mut payload = vec![0u8; len];
        reader.read_exact(&mut payload).await?;
        Ok(Message::decode(&payload)?)
    })
    .await
    .map_err(|_| LinkError::Timeout)?
}

/// Reads frames of one peer, checking that its sequence numbers follow each other and
/// that it keeps the terminal id it started with.
pub struct Incoming<R> {
    reader: R,
    sequence: SequenceCheck,
    terminal_id: Option<String>,
    idle: Duration,
    frame: Duration,
}

impl<R: AsyncRead + Unpin> Incoming<R> {
    /// Reads from `reader`.
    pub fn new(reader: R, idle: Duration, frame: Duration) -> Self {
        Incoming {
            reader,
            sequence: SequenceCheck::default(),
            terminal_id: None,
            idle,
            frame,
        }
    }

    /// Changes how long the peer may stay silent.
    pub fn set_idle(&mut self, idle: Duration) {
        self.idle = idle;
    }

    /// Reads in a task of its own, so that a caller waiting on other things too never
    /// leaves a frame half read: messages arrive on the channel, then the error that
    /// ended the connection. Abort the task when done.
    pub fn spawn(
        mut self,
    ) -> (
        tokio::sync::mpsc::Receiver<Result<Message, LinkError>>,
        tokio::task::JoinHandle<()>,
    )
    where
        R: Send + 'static,
    {
        let (tx, rx) = tokio::sync::mpsc::channel(8);
        let task = tokio::spawn(async move {
            loop {
                let next = self.next().await;
                let end = next.is_err();
                if tx.send(next).await.is_err() || end {
                    break;
                }
            }
        });
        (rx, task)
    }

    /// The next message.
    pub async fn next(&mut self) -> Result<Message, LinkError> {
        let message = read_frame(&mut self.reader, self.idle, self.frame).await?;
        if !self.sequence.accept(message.header.sequence) {
            return Err(LinkError::Protocol(format!(
                "sequence number {} out of order",
                message.header.sequence
            )));
        }
        match &self.terminal_id {
            Some(id) if *id != message.header.terminal_id => {
                return Err(LinkError::Protocol("terminal id changed".into()))
            }
            Some(_) => {}
            None => self.terminal_id = Some(message.header.terminal_id.clone()),
        }
        Ok(message)
    }
}

/// Writes frames, numbering them.
pub struct Outgoing<W> {
    writer: W,
    counter: SequenceCounter,
    terminal_id: String,
    ecr_id: String,
}

impl<W: AsyncWrite + Unpin> Outgoing<W> {
    /// Writes to `writer` with these header ids.
    pub fn new(writer: W, terminal_id: &str, ecr_id: &str) -> Self {
        Outgoing {
            writer,
            counter: SequenceCounter::starting_at(1),
            terminal_id: terminal_id.to_owned(),
            ecr_id: ecr_id.to_owned(),
        }
    }

    /// Sends `body`.
    pub async fn send(&mut self, body: Body) -> Result<(), LinkError> {
        let frame = Message {
            header: Header {
                protocol_id: PROTOCOL_ID,
                terminal_id: self.terminal_id.clone(),
                ecr_id: self.ecr_id.clone(),
                sequence: self.counter.next_number(),
            },
            body,
        }
        .encode()?;
        self.writer.write_all(&frame).await?;
        self.writer.flush().await?;
        Ok(())
    }
}
