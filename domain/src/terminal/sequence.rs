//! Sequence numbers of each direction: checking the peer's, numbering ours.

/// Counts one direction's sequence numbers: each message is the previous one plus one,
/// wrapping at 65536. The first message of a connection sets the start.
#[derive(Clone, Copy, Debug, Default)]
pub struct SequenceCheck {
    last: Option<u16>,
}

impl SequenceCheck {
    /// Accepts `sequence` when it is the next one; a wrong number is a protocol error.
    pub fn accept(&mut self, sequence: u16) -> bool {
        match self.last {
            Some(last) if last.wrapping_add(1) != sequence => false,
            _ => {
                self.last = Some(sequence);
                true
            }
        }
    }
}

/// Numbers one direction's outgoing messages, wrapping at 65536.
#[derive(Clone, Copy, Debug)]
pub struct SequenceCounter {
    next: u16,
}

impl SequenceCounter {
    /// Starts at `first`.
    pub fn starting_at(first: u16) -> SequenceCounter {
        SequenceCounter { next: first }
    }

    /// The number for the next message.
    pub fn next_number(&mut self) -> u16 {
        let n = self.next;
        self.next = self.next.wrapping_add(1);
        n
    }
}
