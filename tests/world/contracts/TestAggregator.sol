// SPDX-License-Identifier: MIT
// Test-only contract for l2watch's local test world (tests/e2e/test_analytics.py).
pragma solidity 0.8.15;

/// @notice A price feed with the read side of Chainlink's AggregatorV3Interface
///         (decimals, latestRoundData) whose round the test sets outright, so
///         that a fresh, a stale, a non-positive and a carried-over answer can
///         each be shown to l2watch.
contract TestAggregator {
    uint8 public immutable decimals;

    uint80 private roundId;
    int256 private answer;
    uint256 private startedAt;
    uint256 private updatedAt;
    uint80 private answeredInRound;

    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    function setRound(uint80 roundId_, int256 answer_, uint256 updatedAt_, uint80 answeredInRound_) external {
        roundId = roundId_;
        answer = answer_;
        startedAt = updatedAt_;
        updatedAt = updatedAt_;
        answeredInRound = answeredInRound_;
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (roundId, answer, startedAt, updatedAt, answeredInRound);
    }
}
