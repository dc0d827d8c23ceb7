package engine

import "github.com/oktaemu/oktaemu/emulator/internal/org"

// FactorRules hands the profile's factor fields that shape the domain model
// (rows 2-14 of engines.md) to the org; see org.FactorRules.
func (p Profile) FactorRules() org.FactorRules {
	return org.FactorRules{
		AutoEmailFactor:        p.FactorsAutoEmail,
		RecoveryQuestionFactor: p.FactorsRecoveryQuestion,
		OktaVerifySiblings:     p.FactorsOktaVerifySiblings,
		MultiplePhones:         p.FactorsMultiplePhones,
		PrimaryEmailOnly:       p.FactorsPrimaryEmailOnly,
		SecondPushCause:        p.FactorsSecondPushCause,
		SignedNonceCause:       p.FactorsSignedNonceCause,
	}
}
