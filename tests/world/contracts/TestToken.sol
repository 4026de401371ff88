// SPDX-License-Identifier: MIT
// Test-only contract for l2watch's local test world (tests/world/bridges.py).
pragma solidity 0.8.15;

import { ERC20 } from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A plain OpenZeppelin ERC-20 whose whole supply is minted to one holder
///         at deployment (the world's `user`). Used as the L1 token of the OP
///         Stack standard bridge and of the generic lock/release bridge.
contract TestToken is ERC20 {
    constructor(string memory name_, string memory symbol_, address holder, uint256 supply)
        ERC20(name_, symbol_)
    {
        _mint(holder, supply);
    }
}
