package io.brook.storage;
