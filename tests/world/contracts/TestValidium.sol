// SPDX-License-Identifier: MIT
pragma solidity 0.8.15;

/// @notice The sequencing entry point of a Polygon CDK validium, for l2watch's
/// test world: the elderberry fork's sequenceBatchesValidium and its
/// SequenceBatches event, with the argument layout of PolygonValidiumEtrog.
/// It accepts any dataAvailabilityMessage, as the real contract does once its
/// admin points dataAvailabilityProtocol at a contract that checks nothing:
/// the case where only a watcher still holds the committee to its threshold.
/// (The zkevm contracts are not published on npm; this is not a copy of them.)
contract TestValidium {
    struct ValidiumBatchData {
        bytes32 transactionsHash;
        bytes32 forcedGlobalExitRoot;
        uint64 forcedTimestamp;
        bytes32 forcedBlockHashL1;
    }

    event SequenceBatches(uint64 indexed numBatch, bytes32 l1InfoRoot);

    address public immutable trustedSequencer;
    uint64 public lastBatchSequenced;

    constructor(address sequencer) {
        trustedSequencer = sequencer;
    }

    function sequenceBatchesValidium(
        ValidiumBatchData[] calldata batches,
        uint64 maxSequenceTimestamp,
        uint64 initSequencedBatch,
        address l2Coinbase,
        bytes calldata dataAvailabilityMessage
    ) external {
        require(msg.sender == trustedSequencer, "TestValidium: not the trusted sequencer");
        require(batches.length > 0, "TestValidium: no batches");
        require(initSequencedBatch == lastBatchSequenced, "TestValidium: initSequencedBatch is not the last batch");
        require(maxSequenceTimestamp <= block.timestamp + 36, "TestValidium: maxSequenceTimestamp too far ahead");
        // Accepted unchecked: the data-availability protocol of this chain verifies nothing.
        (l2Coinbase, dataAvailabilityMessage);
        lastBatchSequenced += uint64(batches.length);
        emit SequenceBatches(lastBatchSequenced, blockhash(block.number - 1));
    }
}
